// Re-exports the harness with image helpers bound to a decoded screenshot.
import { decodePng, distinctColors, inkPixels } from './png.mjs';

export * from './harness.mjs';

export function decodePngFrom(buffer) {
  const image = decodePng(buffer);
  return {
    width: image.width,
    height: image.height,
    colors: distinctColors(image),
    ink: (region) => inkPixels(image, region),
  };
}
