#pragma once
// ImGui's draw lists to WebGL2. The app owns its only GL context, so nothing is
// read back from GL: ImGui's stock OpenGL3 backend saves and restores the whole GL
// state every frame, about twenty getParameter calls that each wait on Chrome's GPU
// process, and they were half of a frame's time. This one sets its state once.
#include <cstdint>

#include "core/result.h"

struct ImDrawData;
struct ImFontAtlas;

namespace crm::web {

class WebGlRenderer {
 public:
  WebGlRenderer() = default;
  WebGlRenderer(const WebGlRenderer&) = delete;
  WebGlRenderer& operator=(const WebGlRenderer&) = delete;
  ~WebGlRenderer();

  // Compiles the shader and makes the buffers; the context must be current.
  Status Init();
  // Uploads the atlas's pixels (one byte each) as the font texture and gives the atlas its id.
  void UploadFonts(ImFontAtlas& atlas);
  bool HasFonts() const { return m_fontTexture != 0; }
  // After the GL context was lost its objects are gone: forget them, so nothing deletes them in the new one.
  void Abandon() { m_program = m_vertexArray = m_vertexBuffer = m_indexBuffer = m_fontTexture = 0; }
  // Clears the framebuffer and draws every list of one frame.
  void Render(const ImDrawData& drawData, int framebufferWidth, int framebufferHeight);

 private:
  uint32_t m_program = 0;
  uint32_t m_vertexArray = 0;
  uint32_t m_vertexBuffer = 0;
  uint32_t m_indexBuffer = 0;
  uint32_t m_fontTexture = 0;
  int32_t m_viewportLocation = -1;
  int32_t m_textureLocation = -1;
  // What GL was last told, so unchanged state is not sent again.
  uint32_t m_boundTexture = 0;
  int m_width = 0;
  int m_height = 0;
};

}  // namespace crm::web
