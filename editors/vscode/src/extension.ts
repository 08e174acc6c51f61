// The CARaG extension: starts `carag lsp` (the language server of carag-dsl) for .carag files.
// Everything about the rules (diagnostics, hover, completion, definitions, rename, formatting, the example
// cases as code lenses) comes from the server; this file only starts it and offers a picker of example cases.
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("carag");
  const serverOptions: ServerOptions = {
    command: config.get<string>("server.command", "carag"),
    args: config.get<string[]>("server.args", ["lsp"]),
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "carag" }],
  };
  client = new LanguageClient("carag", "CARaG language server", serverOptions, clientOptions);
  context.subscriptions.push(vscode.commands.registerCommand("carag.chooseExample", chooseExample));
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `Could not start '${serverOptions.command} lsp': ${error}. Install it with pip install 'carag-dsl[lsp]' ` +
        "and set carag.server.command to its full path if it is in a virtual environment.",
    );
  }
}

// Pick one of the example cases beside the rule set (examples/*.json) and show each question's status for it.
async function chooseExample(): Promise<void> {
  if (!client) {
    return;
  }
  const files = (await vscode.workspace.findFiles("**/examples/*.json", "**/node_modules/**"))
    .filter((uri) => !uri.fsPath.endsWith(".expected.json"))
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath, ".json"), description: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: "Example case to evaluate" },
  );
  if (!picked) {
    return;
  }
  const document = vscode.window.activeTextEditor?.document;
  const outcome = await client.sendRequest<{ example: string; case_type?: string; error?: string; questions?: Record<string, string> }>(
    "workspace/executeCommand",
    { command: "carag.evaluateExample", arguments: [picked.uri.fsPath, document?.languageId === "carag" ? document.uri.toString() : undefined] },
  );
  if (outcome.error) {
    void vscode.window.showWarningMessage(`${outcome.example}: ${outcome.error}`);
    return;
  }
  const counts: Record<string, number> = {};
  for (const status of Object.values(outcome.questions ?? {})) {
    counts[status] = (counts[status] ?? 0) + 1;
  }
  const summary = Object.entries(counts).map(([status, count]) => `${count} ${status.replace("_", " ")}`).join(", ");
  void vscode.window.showInformationMessage(`${outcome.example}: ${outcome.case_type ?? "no"} case; ${summary}`);
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
