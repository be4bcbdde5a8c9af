import { api } from "../ipc/api";
import type { Settings } from "../ipc/generated/Settings";
import { applyTheme } from "../shell/theme";

/** The app-wide settings, loaded once at start; null until then. */
export const settings = $state<{ current: Settings | null }>({ current: null });

export async function loadSettings() {
  settings.current = await api.getSettings();
  applyTheme(settings.current.theme);
}

export async function updateSettings(patch: Partial<Settings>) {
  if (!settings.current) return;
  settings.current = await api.updateSettings({ ...settings.current, ...patch });
  applyTheme(settings.current.theme);
}
