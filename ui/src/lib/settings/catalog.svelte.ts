import { api } from "../ipc/api";
import type { CustomField } from "../ipc/generated/CustomField";
import type { CustomFieldInput } from "../ipc/generated/CustomFieldInput";
import type { Location } from "../ipc/generated/Location";
import type { Team } from "../ipc/generated/Team";

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** Teams, store locations and custom fields: managed in Settings (custom fields also made by
 *  an import), picked from on a profile and in the import. Shared so a change in one place
 *  shows in the other without refetching by hand. Custom fields are kept in their order. */
export const catalog = $state<{ teams: Team[]; locations: Location[]; customFields: CustomField[] }>({
  teams: [],
  locations: [],
  customFields: [],
});

export async function loadCatalog() {
  const [teams, locations, customFields] = await Promise.all([api.listTeams(), api.listLocations(), api.listCustomFields()]);
  catalog.teams = teams;
  catalog.locations = locations;
  catalog.customFields = customFields;
}

export async function createTeam(name: string): Promise<Team> {
  const team = await api.createTeam(name);
  catalog.teams = [...catalog.teams, team].sort(byName);
  return team;
}

export async function renameTeam(id: string, name: string): Promise<Team> {
  const renamed = await api.renameTeam(id, name);
  catalog.teams = catalog.teams.map((t) => (t.id === id ? renamed : t)).sort(byName);
  return renamed;
}

export async function deleteTeam(id: string) {
  await api.deleteTeam(id);
  catalog.teams = catalog.teams.filter((t) => t.id !== id);
}

/** Brings a deleted team back with every member it had; they join a team of the same name
 *  made since instead, which is the one returned. */
export async function restoreTeam(id: string): Promise<Team> {
  const team = await api.restoreTeam(id);
  catalog.teams = [...catalog.teams.filter((t) => t.id !== id && t.id !== team.id), team].sort(byName);
  return team;
}

export async function createLocation(name: string) {
  const location = await api.createLocation(name);
  catalog.locations = [...catalog.locations, location].sort(byName);
}

export async function renameLocation(id: string, name: string) {
  const renamed = await api.renameLocation(id, name);
  catalog.locations = catalog.locations.map((l) => (l.id === id ? renamed : l)).sort(byName);
}

export async function deleteLocation(id: string) {
  await api.deleteLocation(id);
  catalog.locations = catalog.locations.filter((l) => l.id !== id);
}

const byPosition = (a: CustomField, b: CustomField) => a.position - b.position;

export async function createCustomField(input: CustomFieldInput): Promise<CustomField> {
  const field = await api.createCustomField(input);
  catalog.customFields = [...catalog.customFields, field].sort(byPosition);
  return field;
}

/** Changes a field; a change of kind converts its values in the core (or fails, changing nothing). */
export async function updateCustomField(id: string, input: CustomFieldInput): Promise<CustomField> {
  const field = await api.updateCustomField(id, input);
  catalog.customFields = catalog.customFields.map((f) => (f.id === id ? field : f));
  return field;
}

export async function reorderCustomFields(ids: string[]) {
  catalog.customFields = await api.reorderCustomFields(ids);
}

export async function deleteCustomField(id: string) {
  await api.deleteCustomField(id);
  catalog.customFields = catalog.customFields.filter((f) => f.id !== id);
}

export async function restoreCustomField(id: string): Promise<CustomField> {
  const field = await api.restoreCustomField(id);
  catalog.customFields = [...catalog.customFields.filter((f) => f.id !== id), field].sort(byPosition);
  return field;
}
