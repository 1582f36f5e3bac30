#include "web/renderer.h"

#include <GLES3/gl3.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "imgui.h"

namespace crm::web {

namespace {

constexpr const char* kVertexShader = R"(#version 300 es
precision highp float;
layout (location = 0) in vec2 Position;
layout (location = 1) in vec2 UV;
layout (location = 2) in vec4 Color;
uniform vec4 Viewport;  // 2/width, -2/height, -1, 1: pixels to clip space, y down
out vec2 Frag_UV;
out vec4 Frag_Color;
void main() {
  Frag_UV = UV;
  Frag_Color = Color;
  gl_Position = vec4(Position * Viewport.xy + Viewport.zw, 0.0, 1.0);
}
)";

// The atlas is one byte of coverage per texel; ImGui's RGBA form is that byte under white.
constexpr const char* kFragmentShader = R"(#version 300 es
precision mediump float;
uniform sampler2D Texture;
in vec2 Frag_UV;
in vec4 Frag_Color;
layout (location = 0) out vec4 Out_Color;
void main() {
  Out_Color = vec4(Frag_Color.rgb, Frag_Color.a * texture(Texture, Frag_UV).r);
}
)";

constexpr GLuint kPositionLocation = 0;
constexpr GLuint kUvLocation = 1;
constexpr GLuint kColorLocation = 2;

Result<GLuint> CompileShader(GLenum kind, const char* source) {
  GLuint shader = glCreateShader(kind);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint compiled = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &compiled);
  if (compiled == GL_TRUE) return shader;
  GLint length = 0;
  glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
  std::string log(static_cast<size_t>(length > 0 ? length : 1), '\0');
  glGetShaderInfoLog(shader, length, nullptr, log.data());
  glDeleteShader(shader);
  return MakeError(ErrorCode::Generic, std::string("WebGL cannot compile the ") +
                                           (kind == GL_VERTEX_SHADER ? "vertex" : "fragment") + " shader: " + log.c_str());
}

}  // namespace

WebGlRenderer::~WebGlRenderer() {
  if (m_fontTexture) glDeleteTextures(1, &m_fontTexture);
  if (m_vertexBuffer) glDeleteBuffers(1, &m_vertexBuffer);
  if (m_indexBuffer) glDeleteBuffers(1, &m_indexBuffer);
  if (m_vertexArray) glDeleteVertexArrays(1, &m_vertexArray);
  if (m_program) glDeleteProgram(m_program);
}

Status WebGlRenderer::Init() {
  CRM_ASSIGN_OR_RETURN(GLuint vertexShader, CompileShader(GL_VERTEX_SHADER, kVertexShader));
  auto fragmentShader = CompileShader(GL_FRAGMENT_SHADER, kFragmentShader);
  if (!fragmentShader) {
    glDeleteShader(vertexShader);
    return fragmentShader.GetError();
  }
  m_program = glCreateProgram();
  glAttachShader(m_program, vertexShader);
  glAttachShader(m_program, fragmentShader.Value());
  glLinkProgram(m_program);
  glDeleteShader(vertexShader);
  glDeleteShader(fragmentShader.Value());
  GLint linked = GL_FALSE;
  glGetProgramiv(m_program, GL_LINK_STATUS, &linked);
  if (linked != GL_TRUE) return MakeError(ErrorCode::Generic, "WebGL cannot link the UI's shader program");
  m_viewportLocation = glGetUniformLocation(m_program, "Viewport");
  m_textureLocation = glGetUniformLocation(m_program, "Texture");

  glGenVertexArrays(1, &m_vertexArray);
  glGenBuffers(1, &m_vertexBuffer);
  glGenBuffers(1, &m_indexBuffer);
  glBindVertexArray(m_vertexArray);
  glBindBuffer(GL_ARRAY_BUFFER, m_vertexBuffer);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, m_indexBuffer);  // part of the vertex array's state
  glEnableVertexAttribArray(kPositionLocation);
  glEnableVertexAttribArray(kUvLocation);
  glEnableVertexAttribArray(kColorLocation);
  const auto stride = static_cast<GLsizei>(sizeof(ImDrawVert));
  glVertexAttribPointer(kPositionLocation, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, pos)));
  glVertexAttribPointer(kUvLocation, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, uv)));
  glVertexAttribPointer(kColorLocation, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, col)));

  // The state every frame draws with, set once: nothing else draws into this context.
  glUseProgram(m_program);
  glUniform1i(m_textureLocation, 0);
  glActiveTexture(GL_TEXTURE0);
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_STENCIL_TEST);
  glClearColor(0.97f, 0.97f, 0.98f, 1.0f);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);

  ImGuiIO& io = ImGui::GetIO();
  io.BackendRendererName = "crm_webgl2";
  // No ImGuiBackendFlags_RendererHasVtxOffset: WebGL2 has no base vertex, so ImGui splits lists at 64k vertices.
  return Ok();
}

void WebGlRenderer::UploadFonts(ImFontAtlas& atlas) {
  unsigned char* pixels = nullptr;
  int width = 0;
  int height = 0;
  atlas.GetTexDataAsAlpha8(&pixels, &width, &height);  // builds the default font if nothing was built yet
  if (!m_fontTexture) glGenTextures(1, &m_fontTexture);
  glBindTexture(GL_TEXTURE_2D, m_fontTexture);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, width, height, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
  atlas.SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(m_fontTexture)));
  m_boundTexture = m_fontTexture;
  // The texture holds the pixels now; a CJK atlas is megabytes the page need not keep twice.
  atlas.ClearTexData();
}

void WebGlRenderer::Render(const ImDrawData& drawData, int framebufferWidth, int framebufferHeight) {
  if (framebufferWidth <= 0 || framebufferHeight <= 0) return;
  if (framebufferWidth != m_width || framebufferHeight != m_height) {
    m_width = framebufferWidth;
    m_height = framebufferHeight;
    glViewport(0, 0, m_width, m_height);
  }
  // Clearing obeys the scissor test: it is off while the whole canvas is cleared.
  glDisable(GL_SCISSOR_TEST);
  glClear(GL_COLOR_BUFFER_BIT);
  glEnable(GL_SCISSOR_TEST);
  if (drawData.TotalVtxCount == 0) return;

  const ImVec2 origin = drawData.DisplayPos;
  const ImVec2 scale = drawData.FramebufferScale;
  const float viewport[4] = {2.0f / drawData.DisplaySize.x, -2.0f / drawData.DisplaySize.y,
                             -1.0f - origin.x * 2.0f / drawData.DisplaySize.x, 1.0f + origin.y * 2.0f / drawData.DisplaySize.y};
  glUniform4fv(m_viewportLocation, 1, viewport);

  constexpr GLenum kIndexType = sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT;
  for (int listIndex = 0; listIndex < drawData.CmdListsCount; listIndex++) {
    const ImDrawList& list = *drawData.CmdLists[listIndex];
    // A new store for each list: the draws already queued keep reading the previous one.
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(list.VtxBuffer.Size) * static_cast<GLsizeiptr>(sizeof(ImDrawVert)),
                 list.VtxBuffer.Data, GL_STREAM_DRAW);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(list.IdxBuffer.Size) * static_cast<GLsizeiptr>(sizeof(ImDrawIdx)),
                 list.IdxBuffer.Data, GL_STREAM_DRAW);
    for (const ImDrawCmd& command : list.CmdBuffer) {
      if (command.UserCallback) {
        // The app registers no callbacks; ImGui's reset request needs nothing, as no one else changes the state.
        if (command.UserCallback != ImDrawCallback_ResetRenderState) command.UserCallback(&list, &command);
        continue;
      }
      const float minX = (command.ClipRect.x - origin.x) * scale.x;
      const float minY = (command.ClipRect.y - origin.y) * scale.y;
      const float maxX = (command.ClipRect.z - origin.x) * scale.x;
      const float maxY = (command.ClipRect.w - origin.y) * scale.y;
      if (maxX <= minX || maxY <= minY) continue;
      // GL's y goes up from the bottom.
      glScissor(static_cast<GLint>(minX), static_cast<GLint>(static_cast<float>(m_height) - maxY),
                static_cast<GLsizei>(maxX - minX), static_cast<GLsizei>(maxY - minY));
      const auto texture = static_cast<GLuint>(reinterpret_cast<intptr_t>(command.GetTexID()));
      if (texture != m_boundTexture) {
        glBindTexture(GL_TEXTURE_2D, texture);
        m_boundTexture = texture;
      }
      glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(command.ElemCount), kIndexType,
                     reinterpret_cast<void*>(static_cast<intptr_t>(command.IdxOffset * sizeof(ImDrawIdx))));
    }
  }
}

}  // namespace crm::web
