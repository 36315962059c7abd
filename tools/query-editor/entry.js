// The query page's SPARQL editor: CodeMirror 6 with the SPARQL language of codemirror-lang-sparql,
// prefix completion for the prefixes the server knows, Ctrl+Enter to run, and the server's errors
// shown at their line and column. Bundled by build.sh into api/static/vendor/query-editor.js (window.VankienEditor).
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { autocompletion } from "@codemirror/autocomplete";
import { setDiagnostics } from "@codemirror/lint";
import { sparql } from "codemirror-lang-sparql";

// Text that is declared in the prologue: PREFIX name: <iri>
const DECLARED = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*</gi;

function declaredPrefixes(text) {
  const names = new Set();
  for (const match of text.matchAll(DECLARED)) names.add(match[1] || "");
  return names;
}

function prefixLine(name, iri) {
  return `PREFIX ${name}: <${iri}>\n`;
}

// Where a new PREFIX line goes: after the last one, else at the very top.
function prologueEnd(text) {
  let end = 0;
  for (const match of text.matchAll(/^\s*PREFIX[^\n]*\n/gim)) end = match.index + match[0].length;
  return end;
}

// Completes a prefix name while it is typed ("sk" → "skos:") and adds its PREFIX line when the
// query does not declare it yet; after the keyword PREFIX it completes the whole declaration.
function prefixCompletion(prefixes) {
  return (context) => {
    const word = context.matchBefore(/[A-Za-z][\w-]*:?/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const before = context.state.sliceDoc(Math.max(0, word.from - 20), word.from);
    if (/[?$@<"'\w:]$/.test(before)) return null;          // a variable, language tag, IRI or name
    const inDeclaration = /PREFIX\s+$/i.test(before);
    const declared = declaredPrefixes(context.state.doc.toString());
    const options = Object.entries(prefixes).map(([name, iri]) => ({
      label: name + ":",
      detail: iri,
      type: "namespace",
      apply: (view, _completion, from, to) => {
        if (inDeclaration) {
          view.dispatch({ changes: { from, to, insert: `${name}: <${iri}>` } });
          return;
        }
        const changes = [{ from, to, insert: name + ":" }];
        if (!declared.has(name)) {
          changes.push({ from: prologueEnd(view.state.doc.toString()), insert: prefixLine(name, iri) });
        }
        view.dispatch({ changes });
      },
    }));
    return { from: word.from, options, validFor: /^[A-Za-z][\w-]*:?$/ };
  };
}

function create(parent, { doc = "", prefixes = {}, onRun = () => {}, onChange = () => {} } = {}) {
  const run = () => { onRun(); return true; };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        Prec.highest(keymap.of([{ key: "Mod-Enter", run }])),
        basicSetup,
        sparql(),
        autocompletion({ override: [prefixCompletion(prefixes)] }),
        EditorView.updateListener.of((update) => { if (update.docChanged) onChange(); }),
        EditorView.lineWrapping,
      ],
    }),
  });
  return {
    view,
    get value() { return view.state.doc.toString(); },
    set value(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus() { view.focus(); },
    // Mark the server's error at its (1-based) line and column; no line: the whole text.
    showError(message, line, column) {
      const doc = view.state.doc;
      let from = 0, to = doc.length;
      if (line && line <= doc.lines) {
        const at = doc.line(line);
        from = Math.min(at.to, at.from + Math.max(0, (column || 1) - 1));
        to = Math.max(from, Math.min(at.to, from + 1)) || from;
        if (to === from && at.to > at.from) from = Math.max(at.from, at.to - 1), to = at.to;
      }
      view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
    },
    clearError() { view.dispatch(setDiagnostics(view.state, [])); },
    // Declare a prefix the query uses but lacks (the fix an error offers).
    addPrefix(name, iri) {
      view.dispatch({ changes: { from: prologueEnd(view.state.doc.toString()), insert: prefixLine(name, iri) } });
    },
  };
}

window.VankienEditor = { create };
