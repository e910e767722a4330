// The code editor of Alembic Playground: CodeMirror 6 from npm, bundled by
// esbuild into one ES module (www/build.mjs → editor.js in the site).
// The Rust side binds it in src/ui/bindings.rs; www/boot.js imports it and
// hands the module to the app as __alembicPlaygroundBoot.editorModule.
//
// Contract:
// - createEditor(parent, doc, label, onChange) → handle; onChange(bytes) gets
//   the text as UTF-8 (a Uint8Array: cheaper to hand to wasm than a string of
//   megabytes), for edits by the person only, never for setText(); for a
//   document over REPORT_AT_ONCE characters, a few tasks after the edit.
// - A paste of over PASTE_AT_ONCE characters is read into the document a
//   slice per task and inserted whole in one transaction (one undo step),
//   where the selection was when pasted (mapped through edits meanwhile).
// - handle.setDiagnostics([{ line, column, error, message }]) shows the
//   engine's problems inline (1-based line and column).
import { Annotation, EditorState, Text } from "@codemirror/state";
import {
    EditorView, drawSelection, dropCursor, highlightActiveLine, highlightActiveLineGutter,
    highlightSpecialChars, keymap, lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { pythonLanguage } from "@codemirror/lang-python";
import { bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";
import { lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";

const external = Annotation.define();
const utf8 = new TextEncoder();

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

// Documents up to this many characters are reported in the edit's own task.
// A larger one (a pasted file of megabytes) is read out a slice of whole
// lines per task, each slice encoded as it is read, and reported after the
// last: no task holds the page for the whole document, and a newer edit (or
// a setText) drops a report still being read.
const REPORT_AT_ONCE = 256 * 1024;
const REPORT_SLICE = 256 * 1024;

// CodeMirror splits a pasted text into lines and builds its document tree
// in the paste event's task: for megabytes, a long task (and the garbage
// of a hundred thousand line strings). A paste this large is split into
// lines a slice of about PASTE_SLICE characters per task instead.
const PASTE_AT_ONCE = 256 * 1024;
const PASTE_SLICE = 256 * 1024;

export function createEditor(parent, doc, label, onChange) {
    let reading = null;
    let pasting = null;
    const paste = (view, input) => {
        if (pasting) pasting.dropped = true;
        const { from, to } = view.state.selection.main;
        const job = { dropped: false, from, to, text: Text.empty, pos: 0 };
        pasting = job;
        const step = () => {
            if (job.dropped) return;
            // Cut after a line feed, so a "\r\n" is never split.
            const cut = input.indexOf("\n", Math.min(input.length, job.pos + PASTE_SLICE));
            const end = cut < 0 ? input.length : cut + 1;
            job.text = job.text.append(Text.of(input.slice(job.pos, end).split(/\r\n?|\n/)));
            job.pos = end;
            if (job.pos < input.length) {
                setTimeout(step, 0);
                return;
            }
            pasting = null;
            view.dispatch({
                changes: { from: job.from, to: job.to, insert: job.text },
                selection: { anchor: job.from + job.text.length },
                userEvent: "input.paste",
                scrollIntoView: true,
            });
        };
        setTimeout(step, 0);
    };
    const report = (text) => {
        if (reading) reading.dropped = true;
        reading = null;
        if (text.length <= REPORT_AT_ONCE) {
            onChange(utf8.encode(text.toString()));
            return;
        }
        const job = { dropped: false, parts: [], pos: 0, size: 0 };
        reading = job;
        const step = () => {
            if (job.dropped) return;
            const end = Math.min(text.length, text.lineAt(Math.min(text.length, job.pos + REPORT_SLICE)).to + 1);
            const part = utf8.encode(text.sliceString(job.pos, end));
            job.parts.push(part);
            job.size += part.length;
            job.pos = end;
            if (job.pos < text.length) {
                setTimeout(step, 0);
                return;
            }
            reading = null;
            const bytes = new Uint8Array(job.size);
            let at = 0;
            for (const p of job.parts) {
                bytes.set(p, at);
                at += p.length;
            }
            onChange(bytes);
        };
        setTimeout(step, 0);
    };
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
                // The language alone: python() adds completion sources, which
                // do nothing here (no autocompletion) but bring their code.
                pythonLanguage,
                syntaxHighlighting(highlight),
                indentUnit.of("    "),
                lintGutter(),
                EditorView.contentAttributes.of({ "aria-label": label }),
                EditorView.domEventHandlers({
                    paste(event, view) {
                        const text = event.clipboardData?.getData("text/plain") ?? "";
                        if (text.length <= PASTE_AT_ONCE || view.state.readOnly) return false;
                        event.preventDefault();
                        paste(view, text);
                        return true;
                    },
                }),
                EditorView.updateListener.of((update) => {
                    if (pasting && update.docChanged) {
                        // Where the paste goes, through the edits made while it is read.
                        pasting.from = update.changes.mapPos(pasting.from, -1);
                        pasting.to = Math.max(pasting.from, update.changes.mapPos(pasting.to, 1));
                    }
                    if (update.docChanged && !update.transactions.some((t) => t.annotation(external))) {
                        report(update.state.doc);
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
            if (reading) reading.dropped = true;
            reading = null;
            // The document is replaced: a paste still being read was into the old one.
            if (pasting) pasting.dropped = true;
            pasting = null;
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
            if (reading) reading.dropped = true;
            if (pasting) pasting.dropped = true;
            view.destroy();
        },
    };
}
