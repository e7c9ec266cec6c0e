local root = vim.fn.getcwd()
local client_id = vim.lsp.start_client({
  name = "dashm",
  cmd = { "python3", "-m", "dashm", "serve" },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = "examples" } },
  settings = { dashm = {} },
})
vim.cmd("edit inventory/cli.py")
vim.lsp.buf_attach_client(0, client_id)
local ok = vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
for _, d in ipairs(vim.diagnostic.get(0)) do
  print(string.format("inventory/cli.py:%d:%d %s %s", d.lnum + 1, d.col + 1, d.code, d.message))
end
if not ok then print("no diagnostics") end
vim.cmd("qa!")
