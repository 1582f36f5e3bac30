#pragma once
// People and device: who uses this device (add a person with a PIN), shared
// tablet mode, the idle lock, and the layout (auto, laptop, tablet). A window
// over the main screen; Esc closes it.
#include <string>

#include "core/enums.h"

namespace crm::ui {

struct AppState;

struct PeopleScreenState {
  bool open = false;
  std::string name, pin;
  int role = 0;  // index into the roles offered
  std::string nameError, pinError, message;
  int idleSeconds = 120;  // edited value; saved on change
  std::string settingsError;
};

void DrawPeople(AppState& state);

}  // namespace crm::ui
