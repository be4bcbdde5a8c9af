// What the Files tab, the Media tab and the Files view share: attaching with a report
// the person can act on, and deleting with Undo.
import { api, type KithError } from "../ipc/api";
import type { AttachFailure } from "../ipc/generated/AttachFailure";
import type { AttachReport } from "../ipc/generated/AttachReport";
import type { Attachment } from "../ipc/generated/Attachment";
import type { DroppedFile } from "../ipc/generated/DroppedFile";
import type { ImageRole } from "../ipc/generated/ImageRole";
import { showError, showToast } from "../shell/toasts.svelte";
import { undoableDelete } from "../shell/undoableDelete";
import { filesChanged } from "./fileEvents.svelte";

const plural = (n: number) => `${n} file${n === 1 ? "" : "s"}`;

type Message = { text: string; tone: "info" | "error" };

/** "Attached 2 files to Zoë", and apart from it, in red, each file left out and why. */
export function attachMessages(attached: number, failed: readonly AttachFailure[], userName: string): Message[] {
  const problems = failed.map((f) => (f.message.includes(f.name) ? f.message : `${f.name}: ${f.message}`)).join("; ");
  const messages: Message[] = [];
  if (attached) messages.push({ text: `Attached ${plural(attached)} to ${userName}`, tone: "info" });
  if (failed.length) messages.push({ text: `${attached ? "Not attached" : "Nothing attached"}: ${problems}`, tone: "error" });
  return messages;
}

function report(userId: string, userName: string, result: AttachReport, before: AttachFailure[] = []) {
  // Nothing either way: the picker was cancelled.
  for (const { text, tone } of attachMessages(result.attached.length, [...before, ...result.failed], userName)) {
    showToast(text, { tone, key: `attach-${tone}:${userId}` });
  }
  if (result.attached.length) filesChanged(userId);
}

/** The native picker, then the chosen files attached to the user. */
export async function pickAndAttach(userId: string, userName: string) {
  try {
    report(userId, userName, await api.chooseFilesToAttach(userId));
  } catch (e) {
    showError(e as KithError);
  }
}

/** Files dropped on a user's profile or row; what was attached. */
export async function attachDropped(userId: string, userName: string, files: readonly DroppedFile[]): Promise<Attachment[]> {
  const unusable: AttachFailure[] = files.filter((f) => !f.file || f.error).map((f) => ({ name: f.name, message: f.error ?? "cannot be read" }));
  const tokens = files.flatMap((f) => (f.file && !f.error ? [f.file.token] : []));
  try {
    const result = tokens.length ? await api.attachFiles(userId, tokens) : { attached: [], failed: [] };
    report(userId, userName, result, unusable);
    return result.attached;
  } catch (e) {
    showError(e as KithError);
    return [];
  }
}

const ROLE_NAMES: Record<ImageRole, string> = { avatar: "profile image", cover: "cover image" };

/** Makes an attached image the user's profile or cover image (null: removes it). */
export async function useAsImage(userId: string, role: ImageRole, file: Attachment | null) {
  try {
    await api.setUserImage(userId, role, file?.id ?? null);
    filesChanged(userId);
    showToast(file ? `${file.name} is now the ${ROLE_NAMES[role]}` : `Removed the ${ROLE_NAMES[role]}`, { key: `image:${userId}` });
  } catch (e) {
    showError(e as KithError);
  }
}

/** An image dropped on a profile's avatar or cover: attached, then used there. */
export async function attachDroppedImage(userId: string, userName: string, role: ImageRole, files: readonly DroppedFile[]) {
  const attached = await attachDropped(userId, userName, files);
  const image = attached.find((a) => a.kind === "image");
  if (image) await useAsImage(userId, role, image);
  else if (attached.length) showToast(`Only an image can be the ${ROLE_NAMES[role]}; the file was attached`, { tone: "error", key: `image:${userId}` });
}

/** Deletes a file and offers Undo; `onRestored` gets the file back. */
export function deleteFile(file: Attachment, onDeleted: () => void, onRestored: (file: Attachment) => void) {
  return undoableDelete({
    message: `Deleted ${file.name}`,
    key: `file:${file.id}`,
    undoTestid: "undo-delete-file",
    remove: () => api.deleteFile(file.id),
    restore: () => api.restoreFile(file.id),
    onDeleted,
    onRestored,
  });
}

/** Runs one of a file's outside actions (open, show in folder, save a copy), toasting failures. */
export async function fileAction(action: () => Promise<unknown>) {
  try {
    return await action();
  } catch (e) {
    showError(e as KithError);
  }
}
