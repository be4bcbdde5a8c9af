import { api } from "../ipc/api";
import type { Location } from "../ipc/generated/Location";
import type { Team } from "../ipc/generated/Team";

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** Teams and store locations: managed in Settings, picked from on a profile. Shared so a
 *  change in one place shows in the other without refetching by hand. */
export const catalog = $state<{ teams: Team[]; locations: Location[] }>({ teams: [], locations: [] });

export async function loadCatalog() {
  const [teams, locations] = await Promise.all([api.listTeams(), api.listLocations()]);
  catalog.teams = teams;
  catalog.locations = locations;
}

export async function createTeam(name: string): Promise<Team> {
  const team = await api.createTeam(name);
  catalog.teams = [...catalog.teams, team].sort(byName);
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
