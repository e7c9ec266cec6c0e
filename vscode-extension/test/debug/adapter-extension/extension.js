// Test-only stand-in for the Python Debugger extension (ms-python.debugpy), which cannot be
// installed here: the `debugpy` debug type, served by debugpy's own debug adapter from the
// package index (`python -m debugpy.adapter`, DAP on stdio). DASHM_DEBUGPY_PYTHON is an
// interpreter with debugpy installed; the debuggee runs on the launch's own `python`.
'use strict';
const vscode = require('vscode');

exports.activate = (context) => {
  const python = process.env.DASHM_DEBUGPY_PYTHON || 'python3';
  context.subscriptions.push(vscode.debug.registerDebugAdapterDescriptorFactory('debugpy', {
    createDebugAdapterDescriptor: () =>
      new vscode.DebugAdapterExecutable(python, ['-m', 'debugpy.adapter']),
  }));
};

exports.deactivate = () => undefined;
