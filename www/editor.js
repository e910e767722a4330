// The code editor of Alembic Playground: CodeMirror 6 from npm, bundled by
// esbuild into one ES module (www/build.mjs → editor.js in the site).
// The Rust side binds it in src/ui/bindings.rs; www/boot.js imports it and
// hands the module to the app as __alembicPlaygroundBoot.editorModule.
//
// Contract:
// - createEditor(parent, doc, label, onChange) → handle; onChange(text) is
//   called for edits by the person only, never for setText().
// - handle.setDiagnostics([{ line, column, error, message }]) shows the
//   engine's problems inline (1-based line and column).
import { Annotation, EditorState } from "@codemirror/state";
import {
    EditorView, drawSelection, dropCursor, highlightActiveLine, highlightActiveLineGutter,
    highlightSpecialChars, keymap, lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { python } from "@codemirror/lang-python";
import { bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";
import { lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";

const external = Annotation.define();

// Colours come from CSS variables (static/style.css), so the page's light
// and dark themes, which follow the system, apply to the code too.
const highlight = HighlightStyle.define([
    { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: "var(--syn-keyword)" },
    { tag: [t.string, t.special(t.string)], color: "var(--syn-string)" },
    { tag: [t.docString], color: "var(--syn-doc)" },
    { tag: [t.comment, t.lineComment], color: "var(--syn-comment)", fontStyle: "italic" },
    { tag: [t.number, t.bool, t.null, t.atom], color: "var(--syn-number)" },
    { tag: [t.function(t.definition(t.variableName)), t.definition(t.className), t.className], color: "var(--syn-def)" },
    { tag: [t.function(t.variableName), t.function(t.propertyName)], color: "var(--syn-call)" },
    { tag: [t.self, t.special(t.variableName)], color: "var(--syn-number)" },
    { tag: [t.invalid], color: "var(--bad)" },
]);

function toDiagnostic(doc, d) {
    const line = doc.line(Math.min(Math.max(d.line | 0, 1), doc.lines));
    const from = Math.min(line.from + Math.max((d.column | 0) - 1, 0), line.to);
    let to = from;
    const text = doc.sliceString(from, line.to);
    const word = /^[\w.]+/.exec(text);
    to = from + (word ? word[0].length : Math.min(1, text.length));
    return { from, to, severity: d.error ? "error" : "warning", message: String(d.message) };
}

export function createEditor(parent, doc, label, onChange) {
    const view = new EditorView({
        parent,
        state: EditorState.create({
            doc,
            // What a code editor needs here (CodeMirror's basicSetup without
            // autocompletion, folding and rectangular selection, to keep the
            // bundle small): line numbers, undo history, search, brackets.
            extensions: [
                lineNumbers(),
                highlightActiveLineGutter(),
                highlightSpecialChars(),
                history(),
                drawSelection(),
                dropCursor(),
                EditorState.allowMultipleSelections.of(true),
                indentOnInput(),
                bracketMatching(),
                highlightActiveLine(),
                highlightSelectionMatches(),
                keymap.of([...defaultKeymap, ...searchKeymap, ...historyKeymap, ...lintKeymap, indentWithTab]),
                python(),
                syntaxHighlighting(highlight),
                indentUnit.of("    "),
                lintGutter(),
                EditorView.contentAttributes.of({ "aria-label": label }),
                EditorView.updateListener.of((update) => {
                    if (update.docChanged && !update.transactions.some((t) => t.annotation(external))) {
                        onChange(update.state.doc.toString());
                    }
                }),
            ],
        }),
    });
    return {
        text() {
            return view.state.doc.toString();
        },
        setText(text) {
            const old = view.state.doc.toString();
            if (text === old) return;
            // Replace only what differs (common prefix and suffix kept), so the
            // syntax tree and the undo history stay for the rest: a large file
            // set through the API re-parses only around the change.
            let start = 0;
            const max = Math.min(old.length, text.length);
            while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
            let end = 0;
            while (end < max - start && old.charCodeAt(old.length - 1 - end) === text.charCodeAt(text.length - 1 - end)) end++;
            view.dispatch({
                changes: { from: start, to: old.length - end, insert: text.slice(start, text.length - end) },
                annotations: external.of(true),
            });
        },
        setDiagnostics(list) {
            const items = Array.from(list);
            const apply = () => {
                const doc = view.state.doc;
                view.dispatch(setDiagnostics(view.state, items.map((d) => toDiagnostic(doc, d))));
            };
            // Called while the editor is updating (the app reacts to an edit
            // at once), CodeMirror refuses a dispatch: place them right after.
            try {
                apply();
            } catch {
                queueMicrotask(apply);
            }
        },
        focus() {
            view.focus();
        },
        destroy() {
            view.destroy();
        },
    };
}
