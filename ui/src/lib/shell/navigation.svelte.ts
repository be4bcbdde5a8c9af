// Which main view is shown. App.svelte renders it and the sidebar sets it; anything else
// that sends the person elsewhere ("Add custom fields in Settings") sets it too.
import type { View } from "./Sidebar.svelte";

export const navigation = $state<{ view: View }>({ view: "users" });

export function showView(view: View) {
  navigation.view = view;
}
