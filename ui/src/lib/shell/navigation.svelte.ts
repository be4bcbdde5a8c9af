// Which main view is shown. App.svelte renders it and the sidebar sets it; anything else
// that sends the person elsewhere ("Add custom fields in Settings") sets it too.
import type { View } from "./Sidebar.svelte";

export const navigation = $state<{ view: View; section: string | null }>({ view: "users", section: null });

/** Shows `view`; `section` names the element of it to scroll to (by id), e.g. a Settings section. */
export function showView(view: View, section: string | null = null) {
  navigation.view = view;
  navigation.section = section;
}
