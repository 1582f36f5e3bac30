// A small PNG reader for screenshots (8-bit RGB/RGBA, not interlaced), so tests
// can check what was drawn without another dependency.
import zlib from 'node:zlib';

export function decodePng(buffer) {
  const signature = '89504e470d0a1a0a';
  if (buffer.subarray(0, 8).toString('hex') !== signature) throw new Error('not a PNG');
  let offset = 8;
  let width = 0, height = 0, colorType = 0, bitDepth = 0, interlace = 0;
  const chunks = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('ascii', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8];
      colorType = data[9];
      interlace = data[12];
    } else if (type === 'IDAT') {
      chunks.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (bitDepth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) {
    throw new Error(`unsupported PNG: depth ${bitDepth}, color type ${colorType}, interlace ${interlace}`);
  }
  const channels = colorType === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(chunks));
  const stride = width * channels;
  const pixels = Buffer.alloc(width * height * 4);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels] : 0;
      const b = previous[x];
      const c = x >= channels ? previous[x - channels] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[x] = (line[x] + add) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      pixels[o] = line[x * channels];
      pixels[o + 1] = line[x * channels + 1];
      pixels[o + 2] = line[x * channels + 2];
      pixels[o + 3] = channels === 4 ? line[x * channels + 3] : 255;
    }
    previous = line;
  }
  return { width, height, pixels };
}

// Distinct colours in a region: a blank canvas has one or two, a drawn UI has many.
export function distinctColors(image, region = { x: 0, y: 0, width: image.width, height: image.height }) {
  const seen = new Set();
  for (let y = region.y; y < Math.min(image.height, region.y + region.height); y++) {
    for (let x = region.x; x < Math.min(image.width, region.x + region.width); x++) {
      const o = (y * image.width + x) * 4;
      seen.add((image.pixels[o] << 16) | (image.pixels[o + 1] << 8) | image.pixels[o + 2]);
    }
  }
  return seen.size;
}

// Pixels clearly darker than the background: text and widgets.
export function inkPixels(image, region) {
  let count = 0;
  for (let y = region.y; y < Math.min(image.height, region.y + region.height); y++) {
    for (let x = region.x; x < Math.min(image.width, region.x + region.width); x++) {
      const o = (y * image.width + x) * 4;
      if (image.pixels[o] + image.pixels[o + 1] + image.pixels[o + 2] < 3 * 128) count++;
    }
  }
  return count;
}
