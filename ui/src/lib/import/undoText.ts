import type { ImportUndoReport } from "../ipc/generated/ImportUndoReport";
import { formatCount } from "../shell/format";

/** "1 user it created goes" / "3 users it created go", the count grouped. */
export const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * What an import did, as the question before undoing it. With `since` (an
 * import undone long after), what happens to what was changed since it.
 */
export function undoQuestion(
  done: { created: number; updated: number; new_teams: number; new_fields?: number },
  since?: { keeps_later_edits: boolean },
): string {
  const updatedSince = since ? (since.keeps_later_edits ? " (values changed since stay)" : " (values changed since too)") : "";
  const parts = [
    done.created > 0 ? `${plural(done.created, "user it created goes", "users it created go")} to the trash${since ? " (even if edited since)" : ""}` : "",
    done.updated > 0 ? `${plural(done.updated, "user it updated gets", "users it updated get")} their previous values back${updatedSince}` : "",
  ].filter(Boolean);
  let text = `${parts.join(" and ")}.`;
  const teams = done.new_teams;
  const fields = done.new_fields ?? 0;
  if (teams > 0 && fields > 0) {
    text += ` The ${plural(teams, "team", "teams")} and ${plural(fields, "custom field", "custom fields")} it created go too, unless someone uses them.`;
  } else if (teams > 0) {
    text += ` ${teams === 1 ? "The team it created goes too" : `The ${formatCount(teams)} teams it created go too`}, unless someone uses ${teams === 1 ? "it" : "them"}.`;
  } else if (fields > 0) {
    text += ` ${fields === 1 ? "The custom field it created goes too" : `The ${formatCount(fields)} custom fields it created go too`}, unless someone uses ${fields === 1 ? "it" : "them"}.`;
  }
  return text;
}

/** What the undo did: the users, what it kept, then the teams and fields it removed. */
export function undoneText(u: ImportUndoReport): string {
  const parts = [
    u.removed > 0 || (u.reverted === 0 && u.kept === 0) ? `${plural(u.removed, "new user was", "new users were")} moved to the trash` : "",
    u.reverted > 0 ? `${plural(u.reverted, "updated user has", "updated users have")} their previous values back` : "",
  ].filter(Boolean);
  let text = parts.length > 0 ? `Undone: ${parts.join(" and ")}` : "Undone: nothing was left to put back";
  if (u.already_deleted > 0) text += ` (${plural(u.already_deleted, "other was", "others were")} in the trash already)`;
  if (u.kept > 0) {
    text += `. ${plural(u.kept, "value someone changed since the import was", "values someone changed since the import were")} kept`;
  }
  const made = [
    u.teams_removed > 0 ? plural(u.teams_removed, "team", "teams") : "",
    u.fields_removed > 0 ? plural(u.fields_removed, "custom field", "custom fields") : "",
  ].filter(Boolean);
  if (made.length === 0) return `${text}.`;
  const one = u.teams_removed + u.fields_removed === 1;
  return `${text}. ${made.join(" and ")} it created ${one ? "was" : "were"} removed too, as nobody uses ${one ? "it" : "them"}.`;
}
