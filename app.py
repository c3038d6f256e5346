"""Dossier's web chat: Gradio components wired to ``assistant/`` and ``index/``.

Run: ``python app.py`` (or ``make run``). Host, port, login and backend come from
the settings (DOSSIER_* variables or dossier.toml). API: ``/ask`` via gradio_client.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import gradio as gr

import assistant  # noqa: F401  (offline environment before gradio and torch load)
from assistant.pipeline import Assistant
from assistant.render import CSS, HEAD, answer_markdown, escape_markdown, sources_html
from assistant.types import Filters, Turn
from index.background import BackgroundBuilder
from index.generations import IndexCorrupt, IndexMissing
from index.reader import status
from index.settings import Settings, get_settings
from index.uploads import save_upload

EXAMPLES = [
    "What did analysts say about China aiding Russia?",
    "How much was trade between China and Russia worth last year?",
    "Who is Carlos Aquino?",
]
THEME = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                          font_mono=["ui-monospace", "monospace"])  # local fonts: nothing fetched


def _turns(history: list[dict]) -> list[Turn]:
    out = []
    for m in history or []:
        content = m.get("content")
        if isinstance(content, list):  # gradio may send [{"type": "text", "text": ...}]
            content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
        if m.get("role") in ("user", "assistant") and isinstance(content, str):
            out.append(Turn(m["role"], content.replace("\\", "")))
    return out


def _filters(sources, since, until) -> Filters:
    return Filters(sources=tuple(sources or ()), since=(since or "").strip() or None,
                   until=(until or "").strip() or None)


def _status_md(settings: Settings, builder: BackgroundBuilder) -> str:
    try:
        st = status(settings)
        text = (f"**{st['articles']} articles**, {st['chunks']} chunks · model `{st['model']}` · "
                f"built {st['built_at']}")
        if st["skipped"]:
            text += f" · {len(st['skipped'])} file(s) skipped"
    except (IndexMissing, IndexCorrupt) as exc:
        text = f"No usable index: {escape_markdown(str(exc))}"
    if builder.state.running:
        text += f"\n\n⏳ Rebuilding ({builder.state.stage}, {builder.state.fraction:.0%}); answers use the previous index."
    return text


def _sources_choices(settings: Settings) -> list[str]:
    try:
        return status(settings)["sources"]
    except (IndexMissing, IndexCorrupt):
        return []


def build_app(settings: Settings | None = None) -> gr.Blocks:
    settings = settings or get_settings()
    bot = Assistant(settings)
    builder = BackgroundBuilder(settings)

    def article_text(aid: str) -> str | None:
        art = bot.reader.snapshot().articles.get(aid)
        return art.text if art else None

    def respond(message, history, sources, since, until, k):
        message = (message or "").strip()
        if not message:
            yield history, gr.update(), ""
            return
        history = list(history or [])
        turns = _turns(history)
        history += [{"role": "user", "content": escape_markdown(message)},
                    {"role": "assistant", "content": "_Searching the articles…_"}]
        yield history, gr.update(), ""
        try:
            ans = None
            for ans in bot.stream(message, turns, _filters(sources, since, until), k=int(k)):
                history[-1] = {"role": "assistant", "content": answer_markdown(ans)}
                yield history, gr.update(), ""
            yield history, sources_html(ans, article_text), ""
        except Exception as exc:  # any failure is shown in the chat, never a traceback
            history[-1] = {"role": "assistant", "content": "⚠️ " + escape_markdown(str(exc))}
            yield history, gr.update(), ""

    def api_ask(question: str, history_json: str = "[]", source: str = "", since: str = "",
                until: str = "", k: int = 0) -> dict:
        """The chat as an API: same answer and citations as `python -m assistant ask --json`."""
        try:
            history = [Turn(str(t["role"]), str(t["content"])) for t in json.loads(history_json or "[]")]
        except (ValueError, KeyError, TypeError) as exc:
            raise gr.Error(f"history must be a JSON list of {{role, content}}: {exc}") from exc
        filters = _filters([source] if source else [], since, until)
        try:
            return bot.ask(question, history, filters, k=int(k) or None).to_json()
        except (IndexMissing, IndexCorrupt, ValueError) as exc:
            raise gr.Error(str(exc)) from exc

    def rebuild(progress=gr.Progress()):
        refusal = builder.start()
        if refusal:
            yield refusal, _status_md(settings, builder)
            return
        while builder.state.running:
            progress(builder.state.fraction, desc=f"Rebuilding: {builder.state.stage}")
            yield f"⏳ Rebuilding… {builder.state.stage} {builder.state.fraction:.0%}", _status_md(settings, builder)
            time.sleep(0.5)
        st = builder.state
        if st.error:
            yield f"❌ Rebuild failed; the previous index is still serving. {escape_markdown(st.error)}", \
                _status_md(settings, builder)
            return
        s = st.report.summary()
        lines = [f"✅ Rebuilt in {s['seconds']} s: {s['added']} added, {s['changed']} changed, "
                 f"{s['removed']} removed, {s['unchanged']} unchanged, {s['skipped']} skipped; "
                 f"{s['embedded']} chunks embedded."]
        lines += [f"- skipped {escape_markdown(k.path)}: {escape_markdown(k.reason)}" for k in st.report.skipped]
        yield "\n".join(lines), _status_md(settings, builder)

    def upload(files, overwrite):
        if not files:
            return "Choose one or more files first."
        lines = []
        for f in files:
            path = Path(f if isinstance(f, str) else f.name)
            original = getattr(f, "orig_name", None) or path.name
            r = save_upload(path, original, settings.corpus_dir, int(settings.max_upload_mb * 1e6), bool(overwrite))
            lines.append(f"- {escape_markdown(r.name)}: {escape_markdown(r.message)}")
        if any("added" in ln or "replaced" in ln for ln in lines):
            lines.append("\nClick **Rebuild index** to include them.")
        return "\n".join(lines)

    with gr.Blocks(title="Dossier", analytics_enabled=False) as demo:
        gr.Markdown("# Dossier\nAsk about the news articles; every sentence of an answer cites its passage.")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=520, sanitize_html=True, allow_tags=False,
                                  latex_delimiters=[], elem_id="chat", feedback_options=None,
                                  placeholder="Ask a question about the articles, or pick an example below.")
                with gr.Row():
                    box = gr.Textbox(placeholder="e.g. What did analysts say about China aiding Russia?",
                                     show_label=False, scale=5, elem_id="question", max_length=2000)
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                new = gr.Button("New chat", size="sm", elem_id="new-chat")
                gr.Examples(EXAMPLES, inputs=[box], label="Examples")
            with gr.Column(scale=2):
                with gr.Accordion("Filters", open=False):
                    outlets = gr.Dropdown(_sources_choices(settings), multiselect=True, label="Outlet",
                                          elem_id="outlets")
                    with gr.Row():
                        since = gr.Textbox(label="Since (YYYY-MM-DD)", elem_id="since")
                        until = gr.Textbox(label="Until (YYYY-MM-DD)", elem_id="until")
                    k = gr.Slider(2, 20, value=settings.k, step=1, label="Passages to retrieve")
                sources = gr.HTML(sources_html(None, article_text), elem_id="sources")
        with gr.Accordion("Index", open=False, elem_id="index-panel"):
            index_status = gr.Markdown(_status_md(settings, builder), elem_id="index-status")
            rebuild_btn = gr.Button("Rebuild index", elem_id="rebuild")
            report = gr.Markdown(elem_id="build-report")
            files = gr.File(label="Add articles (.txt .md .html .json .jsonl .csv)", file_count="multiple",
                            file_types=[".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv"],
                            elem_id="upload")
            overwrite = gr.Checkbox(label="Replace existing files of the same name", value=False)
            add_btn = gr.Button("Add to corpus", elem_id="add-files")
            upload_msg = gr.Markdown(elem_id="upload-result")

        ask_inputs = [box, chat, outlets, since, until, k]
        for trigger in (send.click, box.submit):
            trigger(respond, ask_inputs, [chat, sources, box], api_visibility="private")
        new.click(lambda: ([], sources_html(None, article_text), ""), None, [chat, sources, box],
                  api_visibility="private")
        rebuild_btn.click(rebuild, None, [report, index_status], concurrency_limit=2,
                          api_visibility="private")
        add_btn.click(upload, [files, overwrite], [upload_msg], api_visibility="private")
        gr.api(api_ask, api_name="ask")
        demo.load(lambda: (_status_md(settings, builder), gr.update(choices=_sources_choices(settings))),
                  None, [index_status, outlets], api_visibility="private")
    demo.dossier_assistant = bot  # for tests and warm-up
    return demo


def main() -> None:
    settings = get_settings()
    demo = build_app(settings)
    try:
        demo.dossier_assistant.warm_up()
    except (IndexMissing, IndexCorrupt) as exc:
        print(f"warning: {exc}")
    auth = None
    if settings.username and settings.password:
        auth = (settings.username, settings.password.get_secret_value())
    print(f"Dossier on http://{settings.host}:{settings.port}")
    demo.queue(default_concurrency_limit=4).launch(
        server_name=settings.host, server_port=settings.port, auth=auth, theme=THEME, css=CSS, head=HEAD,
        max_file_size=f"{int(settings.max_upload_mb)}mb", footer_links=["api"], ssr_mode=False,
        show_error=False, pwa=False, mcp_server=False, share=False,
    )


if __name__ == "__main__":
    main()
