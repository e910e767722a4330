// Alembic Playground boot glue (a classic script, run before the wasm app).
//
// - Defines window.alembicPlayground with its `ready` promise at once, so a
//   page script or test may `await alembicPlayground.ready` at any time; the
//   Rust app (src/ui/api.rs) adds the functions and resolves `ready`.
// - Starts loading sql.js and the editor module (editor.js: CodeMirror 6,
//   bundled at build time by www/build.mjs) right away, in parallel with the
//   app's wasm; the app awaits __alembicPlaygroundBoot.sqlJs
//   (src/platform/sqljs.rs) and __alembicPlaygroundBoot.editor
//   (src/ui/bindings.rs), which stores the module as `editorModule`.
// - Reads a permalink's project from the URL fragment (`boot.project`) and
//   makes permalinks (`boot.permalink(files)`), and answers the postMessage
//   API of an embedding page (both described below and in www/README.md).
(function () {
    "use strict";
    var boot = {};
    var ready = new Promise(function (resolve, reject) {
        boot.resolve = resolve;
        boot.reject = reject;
    });
    // A failed boot is shown in the page; a test awaiting `ready` sees the rejection.
    ready.catch(function () {});
    window.alembicPlayground = { ready: ready };
    // SQLite's own functions only, as Python's sqlite3 has them: sql.js's
    // legacy extension functions add some (reverse, stdev...) and give
    // floor() an integer result where SQLite's math functions give a real.
    boot.sqlJs = window.initSqlJs({
        locateFile: function (file) {
            return new URL(file, document.baseURI).href;
        },
        useOldExtensionFunctions: false,
    });
    boot.sqlJs.catch(function () {});
    boot.editor = import(new URL("editor.js", document.baseURI).href).then(function (module) {
        boot.editorModule = module;
        return module;
    });
    boot.editor.catch(function () {});

    // ---- Permalinks: the whole project (files) in the URL fragment,
    // `#project=` + base64url(deflate-raw(JSON {v: 1, files})), compressed
    // with the browser's CompressionStream. A link's project is restored
    // on load over the autosaved one; the fragment is then dropped from the
    // address bar, so a later reload keeps the person's newer work.
    var PREFIX = "#project=";
    function toBase64Url(bytes) {
        var binary = "";
        for (var i = 0; i < bytes.length; i += 0x8000) {
            binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
        }
        return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    }
    function fromBase64Url(text) {
        var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
        var bytes = new Uint8Array(binary.length);
        for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        return bytes;
    }
    function through(bytes, transform) {
        return new Response(new Blob([bytes]).stream().pipeThrough(transform)).arrayBuffer();
    }
    /** The permalink of `files` ({ path: text }): this page's URL with the project in its fragment. */
    boot.permalink = function (files) {
        var json = new TextEncoder().encode(JSON.stringify({ v: 1, files: files }));
        return through(json, new CompressionStream("deflate-raw")).then(function (buffer) {
            return location.href.split("#")[0] + PREFIX + toBase64Url(new Uint8Array(buffer));
        });
    };
    /** The files of a permalink fragment; throws when it cannot be read. */
    function readProject(fragment) {
        var bytes;
        try {
            bytes = fromBase64Url(fragment.slice(PREFIX.length));
        } catch (e) {
            return Promise.reject(new Error("the link is not valid base64url"));
        }
        return through(bytes, new DecompressionStream("deflate-raw")).then(function (buffer) {
            var project = JSON.parse(new TextDecoder().decode(buffer));
            if (!project || project.v !== 1 || typeof project.files !== "object" || project.files === null) {
                throw new Error("the link holds no project of a version this page reads");
            }
            Object.keys(project.files).forEach(function (path) {
                if (typeof project.files[path] !== "string") throw new Error("the link's file " + path + " is not text");
            });
            return project.files;
        });
    }
    // The app awaits this: the link's files, null without a link; rejects on a broken link.
    boot.project = location.hash.indexOf(PREFIX) === 0 ? readProject(location.hash) : Promise.resolve(null);
    boot.project.then(
        function (files) {
            if (files) history.replaceState(null, "", location.href.split("#")[0]);
        },
        function () {},
    );
    /** Copies text to the clipboard; resolves to whether it could. */
    boot.copy = function (text) {
        if (!navigator.clipboard) return Promise.resolve(false);
        return navigator.clipboard.writeText(text).then(
            function () {
                return true;
            },
            function () {
                return false;
            },
        );
    };

    // ---- postMessage API for a page that embeds the playground in an iframe.
    // Request:  { alembicPlayground: 1, id, method, args: [...] }   (method: a member of
    //           window.alembicPlayground: setFiles, files, run, sqlLog, setModels, ...)
    // Response: { alembicPlayground: 1, id, ok: true, result } or { ..., ok: false, error }
    //           posted to the requesting window, at the request's origin only.
    // Event:    { alembicPlayground: 1, event: "ready" } to the parent once ready.
    // Origins: messages are taken from this page's own origin and from the
    // origins named in the page's query, `?origin=https://docs.example.org`
    // (repeatable; `?origin=*` takes any origin). Anything else is ignored.
    var params = new URLSearchParams(location.search);
    var origins = params.getAll("origin");
    function allowed(origin) {
        return origin === location.origin || origins.indexOf("*") >= 0 || origins.indexOf(origin) >= 0;
    }
    var NOT_MESSAGE_METHODS = { mount: true, ready: true };
    window.addEventListener("message", function (event) {
        var data = event.data;
        if (!data || data.alembicPlayground !== 1 || typeof data.method !== "string" || !allowed(event.origin)) return;
        var source = event.source;
        var reply = function (message) {
            message.alembicPlayground = 1;
            message.id = data.id;
            if (source) source.postMessage(message, event.origin === "null" ? "*" : event.origin);
        };
        ready
            .then(function () {
                var api = window.alembicPlayground;
                var method = api[data.method];
                if (NOT_MESSAGE_METHODS[data.method] || data.method.charAt(0) === "_" || typeof method !== "function") {
                    throw new Error("alembicPlayground has no method " + data.method);
                }
                return method.apply(api, Array.isArray(data.args) ? data.args : []);
            })
            .then(
                function (result) {
                    reply({ ok: true, result: result === undefined ? null : result });
                },
                function (error) {
                    reply({ ok: false, error: String((error && error.message) || error) });
                },
            );
    });
    if (window.parent !== window) {
        ready.then(function () {
            // The parent's origin (Chromium and WebKit tell it; else the referrer): the
            // ready event goes to it only when it may drive this page.
            var parentOrigin = (location.ancestorOrigins && location.ancestorOrigins[0]) || "";
            if (!parentOrigin && document.referrer) parentOrigin = new URL(document.referrer).origin;
            var message = { alembicPlayground: 1, event: "ready" };
            if (parentOrigin && parentOrigin !== "null" && allowed(parentOrigin)) window.parent.postMessage(message, parentOrigin);
            else if (origins.indexOf("*") >= 0) window.parent.postMessage(message, "*");
        });
    }
    window.__alembicPlaygroundBoot = boot;
})();
