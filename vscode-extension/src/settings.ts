/**
 * The `dashm.*` settings: what VS Code stores, mapped to what the server reads
 * (`workspace/configuration`, section `dashm`, see server/dashm/lsp/settings.py).
 *
 * Pure (no `vscode` import), so the unit tests can load it: callers pass the values they read.
 */

import * as path from 'path';

export const SECTION = 'dashm';

/** The keys the server understands, as VS Code stores them (`dashm.<key>`). */
export const SERVER_KEYS = ['enable', 'importStyle', 'severity', 'roots', 'select', 'ignore',
  'exclude', 'codeLens', 'interpreter', 'notebookRoot'] as const;

/** The keys only the extension reads (the server never sees them). */
export const CLIENT_KEYS = ['statusBar', 'trace.server'] as const;

export type ServerKey = (typeof SERVER_KEYS)[number];

/** Where `${...}` variables and relative paths in settings are resolved. */
export interface Context {
  /** The workspace folder the settings belong to, if any. */
  folder?: string;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The section the server receives for one folder: the server's keys only; the interpreter
 * with `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and `~` resolved and made absolute
 * against the folder. Other values pass through unchanged: the server checks them and reports
 * an invalid one once, keeping its default.
 */
export function serverSettings(get: (key: ServerKey) => unknown, context: Context
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = get(key);
    if (value === undefined) {
      continue;
    }
    result[key] = key === 'interpreter' ? interpreterPath(value, context) ?? null : value;
  }
  return result;
}

/** `${workspaceFolder}`, `${workspaceFolderBasename}`, `${userHome}`, `${env:NAME}`, `~/`. */
export function substitute(value: string, context: Context): string {
  let text = value.replace(/\$\{(workspaceFolder|workspaceFolderBasename|userHome|env:([^}]+))\}/g,
    (whole, name: string, envName: string | undefined) => {
      if (envName !== undefined) {
        return context.env[envName] ?? '';
      }
      if (name === 'userHome') {
        return context.home;
      }
      if (context.folder === undefined) {
        return whole;
      }
      return name === 'workspaceFolder' ? context.folder : path.basename(context.folder);
    });
  if (text === '~' || text.startsWith('~/') || text.startsWith('~\\')) {
    text = context.home + text.slice(1);
  }
  return text;
}

/**
 * The interpreter setting as a path: undefined when unset or blank; relative paths are taken
 * from the workspace folder, as the server does.
 */
export function interpreterPath(value: unknown, context: Context): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    return undefined;
  }
  const text = substitute(value.trim(), context);
  if (path.isAbsolute(text) || context.folder === undefined) {
    return text;
  }
  return path.join(context.folder, text);
}
