// Keeping and sharing edits: the browser's storage, a zip of the folder, and a link whose fragment carries
// the edited files (deflated, base64url), so nothing is sent anywhere.
import { deflateSync, inflateSync, strFromU8, strToU8, zipSync } from "fflate";

const FRAGMENT = "#edit=";

// Only what differs from the published rules: a file's text, or null for a file deleted.
export function changes(files, published) {
  const changed = {};
  for (const [path, text] of Object.entries(files)) if (published[path] !== text) changed[path] = text;
  for (const path of Object.keys(published)) if (!(path in files)) changed[path] = null;
  return changed;
}

export function applyChanges(published, changed) {
  const files = { ...published };
  for (const [path, text] of Object.entries(changed || {})) {
    if (text === null) delete files[path];
    else if (typeof text === "string") files[path] = text;
  }
  return files;
}

export function storageKey(manifest) {
  return `carag-studio:${manifest.rules.folder}:${manifest.rules.hash}`;
}

export function load(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "{}");
  } catch {
    return {};
  }
}

export function save(key, changed) {
  try {
    if (Object.keys(changed).length) localStorage.setItem(key, JSON.stringify(changed));
    else localStorage.removeItem(key);
    return true;
  } catch {
    return false;  // storage full or turned off: the edits stay in the page only
  }
}

function base64url(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unbase64url(text) {
  const plain = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(plain, (c) => c.charCodeAt(0));
}

export function shareLink(changed) {
  const url = new URL(location.href);
  url.hash = FRAGMENT.slice(1) + base64url(deflateSync(strToU8(JSON.stringify(changed)), { level: 9 }));
  return url.href;
}

// The edits a link carries, or null when the fragment carries none; throws when it is damaged.
export function fromFragment(hash) {
  if (!hash.startsWith(FRAGMENT)) return null;
  const changed = JSON.parse(strFromU8(inflateSync(unbase64url(hash.slice(FRAGMENT.length)))));
  if (typeof changed !== "object" || changed === null || Array.isArray(changed)) throw new Error("not a set of files");
  return changed;
}

export function zipOf(folder, files) {
  const entries = {};
  for (const [path, text] of Object.entries(files)) entries[`${folder}/${path}`] = strToU8(text);
  return new Blob([zipSync(entries, { level: 6 })], { type: "application/zip" });
}
