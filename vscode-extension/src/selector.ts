/**
 * The documents the language client sends to the server: Python files, the Python cells of
 * Jupyter notebooks (synced as notebooks: the server checks a notebook's code cells as one
 * module and answers per cell), and the files that run them (the server's entry files:
 * pyproject.toml, `.vscode/launch.json` and `tasks.json`, Makefiles), so their diagnostics get
 * quick fixes too.
 *
 * Pure (no `vscode` import), so the unit tests can load it.
 */

export const MAKEFILES = ['Makefile', 'makefile', 'GNUmakefile'] as const;
export const VSCODE_FILES = ['launch.json', 'tasks.json'] as const;

export const NOTEBOOK_TYPE = 'jupyter-notebook';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  // The cells (scheme `vscode-notebook-cell`) of notebooks saved as files.
  { notebook: { notebookType: NOTEBOOK_TYPE, scheme: 'file' }, language: 'python' },
  { scheme: 'file', pattern: '**/pyproject.toml' },
  { scheme: 'file', pattern: `**/.vscode/{${VSCODE_FILES.join(',')}}` },
  { scheme: 'file', pattern: `**/{${MAKEFILES.join(',')}}` },
];
