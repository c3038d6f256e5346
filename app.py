"""Dossier's web chat: Gradio components wired to ``assistant/``, ``index/`` and ``web/``.

Run: ``python app.py`` (or ``make run``). Host, port, login and backend come from
the settings (DOSSIER_* variables or dossier.toml). API: ``/ask`` via gradio_client.
"""

from __future__ import annotations

import importlib.resources
import json
import logging
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from index.environment import configure

configure()  # the web entry point: offline and quiet before Gradio, numpy and torch load

import gradio as gr
from starlette.middleware import Middleware

from assistant.pipeline import Assistant
from assistant.render import answer_markdown, escape_markdown, sources_html
from assistant.types import Answer, Filters, Turn
from index.background import BackgroundBuilder
from index.errors import BadInput, DossierError, Kind
from index.generations import IndexMissing
from index.settings import Settings, get_settings
from index.uploads import save_upload
from web import corpus_view, export
from web.dates import DateError, parse_date, parse_range
from web.security import Guard

log = logging.getLogger("dossier.web")
WEB = importlib.resources.files("web")  # package data: the same page from a wheel install
CSS = WEB.joinpath("page.css").read_text(encoding="utf-8")
HEAD = "<script>\n" + WEB.joinpath("page.js").read_text(encoding="utf-8") + "\n</script>"
THEME = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                          font_mono=["ui-monospace", "monospace"])  # local fonts: nothing fetched
K_MIN, K_MAX = 1, 50
MAX_HISTORY_CHARS = 200_000
NO_INDEX = "There is no index yet: click **Build index** on the Index tab."
DAMAGED = "The index is damaged: click **Rebuild index** on the Index tab (or run `python -m index rebuild`)."
SERVICE_DOWN = ("A service Dossier relies on (the vector store or the language model server) is not "
                "reachable; the server log has the details.")
BROKEN_INSTALL = "Dossier's installation is incomplete; the server log has the details."
FAILED = "Something went wrong while answering; the details are in the server log."
# What the page says for each kind of DossierError (index/errors.py); the user's own mistakes
# ("input") are told in the error's words, which name no server path.
PAGE_MESSAGES: dict[Kind, str] = {"index": DAMAGED, "service": SERVICE_DOWN, "install": BROKEN_INSTALL}


def user_message(exc: BaseException) -> str:
    """What the page or the API may say about a failure: never a path or raw exception text."""
    if isinstance(exc, IndexMissing):
        return NO_INDEX
    if isinstance(exc, DossierError):
        return PAGE_MESSAGES.get(exc.kind) or exc.user_message
    return FAILED


def check_k(k: object, allow_default: bool) -> int | None:
    """Passages per question, 1..50 (the documented range); 0 means the default on the API."""
    try:
        value = int(float(str(k).strip())) if not isinstance(k, int) else k
    except (TypeError, ValueError):
        raise BadInput(f"k must be a whole number from {K_MIN} to {K_MAX}") from None
    if allow_default and value == 0:
        return None
    if not K_MIN <= value <= K_MAX:
        raise BadInput(f"k must be from {K_MIN} to {K_MAX}" + (" (0 for the default)" if allow_default else ""))
    return value


def _messages(history: object) -> list[dict]:
    """Chat messages as ``{role, content: str}`` (Gradio sends content back as a list of parts)."""
    out = []
    for m in history if isinstance(history, list) else []:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        content = m.get("content")
        if isinstance(content, list):
            content = " ".join(c.get("text", "") for c in content if isinstance(c, dict) and isinstance(c.get("text"), str))
        if isinstance(content, str):
            out.append({"role": m["role"], "content": content})
    return out


def _turns(value: object) -> list[Turn]:
    """The conversation kept as ``Turn``s in ``gr.State`` (never parsed back from the chat's Markdown)."""
    return [t for t in value if isinstance(t, Turn)] if isinstance(value, list) else []


def _filters(sources, since, until) -> Filters:
    dates = parse_range(since, until)
    return Filters(sources=tuple(str(s) for s in (sources or ()))[:50], since=dates.since, until=dates.until)


def build_app(settings: Settings | None = None, bot: Assistant | None = None) -> gr.Blocks:
    settings = settings or get_settings()
    bot = bot or Assistant(settings)
    builder = BackgroundBuilder(settings)

    def snap():
        return bot.reader.snapshot()

    def article_text(aid: str) -> str | None:
        art = snap().articles.get(aid)
        return art.text if art else None

    # -- what the page shows about the corpus ----------------------------------------------
    def summary_or_none() -> corpus_view.CorpusSummary | None:
        try:
            return corpus_view.summary(snap())
        except Exception:  # noqa: BLE001  (no index, or a damaged one: the status says which)
            return None

    def outlet_choices() -> list[str]:
        s = summary_or_none()
        return sorted(o for o, _ in s.outlets) if s else []

    def examples() -> list[str]:
        try:
            st = snap()
            return corpus_view.example_questions(st, people=corpus_view.quoted_people(st))
        except Exception:  # noqa: BLE001
            return []

    def example_updates() -> list:
        found = examples()
        return [gr.update(value=found[i], visible=True) if i < len(found) else gr.update(visible=False)
                for i in range(corpus_view.EXAMPLES)]

    def range_hint() -> str:
        s = summary_or_none()
        return f"Articles range from **{s.range_text()}**." if s else ""

    def status_md() -> str:
        try:
            st = snap()
            s = corpus_view.summary(st)
            m = st.manifest
            outlets = ", ".join(f"{escape_markdown(o)} ({n})" for o, n in s.outlets[:12])
            if len(s.outlets) > 12:
                outlets += f", and {len(s.outlets) - 12} more"
            lines = [f"**{s.articles} articles** from {len(s.outlets)} outlet(s), dated {escape_markdown(s.range_text())}.",
                     f"Last built {escape_markdown(corpus_view.ago(m.built_at))}; {m.chunk_count} passages; "
                     f"model {escape_markdown(m.model)}.",
                     f"Outlets: {outlets}." if outlets else ""]
            if m.skipped:
                lines.append(f"\n**{len(m.skipped)} file(s) were skipped:**")
                for k in m.skipped[:50]:
                    lines.append(f"- {escape_markdown(k.path)}: {escape_markdown(k.reason[:200])}")
            text = "\n".join(x for x in lines if x is not None)
        except Exception as exc:  # noqa: BLE001
            if not isinstance(exc, DossierError):
                log.exception("index status failed")
            text = "There is no index yet: click **Build index** below." if isinstance(exc, IndexMissing) \
                else user_message(exc)
        if builder.state.running:
            text += (f"\n\n**Rebuilding:** {escape_markdown(builder.describe())}; answers use the previous "
                     "index until it is done.")
        return text

    def has_index() -> bool:
        try:
            snap()
            return True
        except Exception:  # noqa: BLE001
            return False

    def build_label() -> str:
        return "Rebuild index" if has_index() else "Build index"

    # -- chat ----------------------------------------------------------------------------------
    def respond(message, history, sources, since, until, k, stored, turns):
        message = (message or "").strip()
        stored = stored if isinstance(stored, dict) else {}
        turns = _turns(turns)
        if not message:
            yield history, gr.update(), "", "", stored, turns
            return
        try:
            filters = _filters(sources, since, until)
            kk = check_k(k, allow_default=False)
        except BadInput as exc:
            yield history, gr.update(), message, escape_markdown(str(exc)), stored, turns
            return
        history = _messages(history)
        history += [{"role": "user", "content": escape_markdown(message)},
                    {"role": "assistant", "content": "_Searching the articles…_"}]
        yield history, gr.update(), "", "", stored, turns
        try:
            ans: Answer | None = None
            for ans in bot.stream(message, turns, filters, k=kk):
                history[-1] = {"role": "assistant", "content": answer_markdown(ans)}
                yield history, gr.update(), "", "", stored, turns
            if ans is None:  # stream() always yields; a guard for the type checker's sake
                raise RuntimeError("the assistant gave no answer")
            records = [r for r in stored.get("answers", []) if isinstance(r, dict)][-49:] + [export.record(ans)]
            stored = {"chat": history, "answers": records}
            turns = [*turns, Turn("user", message), Turn("assistant", ans.answer)]
            yield history, sources_html(ans, article_text), "", "", stored, turns
        except Exception as exc:  # noqa: BLE001  (the user gets a short message, the log the details)
            if user_message(exc) == FAILED:
                log.exception("answering failed")
            else:
                log.warning("answering failed: %s", exc)
            history[-1] = {"role": "assistant", "content": "**Not answered.** " + user_message(exc)}
            yield history, gr.update(), "", "", {"chat": history, "answers": stored.get("answers", [])}, turns

    def restore(stored):
        """After a reload: the chat, the last answer's sources and the conversation's turns, from
        the answers the browser kept (their plain question and answer text, not the Markdown)."""
        stored = stored if isinstance(stored, dict) else {}
        chat = _messages(stored.get("chat"))
        answers = [r for r in stored.get("answers") or [] if isinstance(r, dict)] if chat else []
        last = export.answer_from_record(answers[-1]) if answers else None
        return chat, sources_html(last, article_text), export.turns(answers)

    def clear():
        return [], sources_html(None, article_text), "", "", {"chat": [], "answers": []}, []

    def export_files(stored):
        answers = [r for r in (stored or {}).get("answers", []) if isinstance(r, dict)]
        if not answers:
            return "Ask a question first; its answer and references appear here as Markdown.", None, None
        folder = Path(tempfile.mkdtemp(prefix="export-", dir=os.environ.get("GRADIO_TEMP_DIR")))
        last = folder / f"dossier-{export.safe_filename(answers[-1].get('question', ''))}.md"
        last.write_text(export.answer_markdown_export(answers[-1]), encoding="utf-8")
        conv_text = export.conversation_markdown(answers)
        conv = folder / "dossier-conversation.md"
        conv.write_text(conv_text, encoding="utf-8")
        return conv_text, str(last), str(conv)

    def api_ask(question: str, history_json: str = "[]", source: str = "", since: str = "",
                until: str = "", k: int = 0) -> dict:
        """The chat as an API: same answer and citations as `python -m assistant ask --json`.
        Dates are free-form ("Feb 2017", "2017-02-07"); k is 1..50, 0 for the default."""
        try:
            kk = check_k(k, allow_default=True)
            if len(history_json or "") > MAX_HISTORY_CHARS:
                raise BadInput("history is too long")
            try:
                raw = json.loads(history_json or "[]")
                history = [Turn(str(t["role"]), str(t["content"])) for t in raw]
            except (ValueError, KeyError, TypeError):
                raise BadInput("history must be a JSON list of {role, content} objects") from None
            if not str(question or "").strip():
                raise BadInput("the question is empty")
            filters = _filters([str(source)[:200]] if source else [], since, until)
            return bot.ask(str(question), history, filters, k=kk).to_json()
        except Exception as exc:  # noqa: BLE001
            if user_message(exc) == FAILED:
                log.exception("API answering failed")
            raise gr.Error(user_message(exc)) from None

    def check_dates(since, until):
        try:
            parse_range(since, until)
            return ""
        except DateError as exc:
            return escape_markdown(str(exc))

    # -- index ----------------------------------------------------------------------------------
    def refreshed():
        """Everything that depends on the index, after a build or on page load."""
        choices = outlet_choices()
        rows = corpus_rows()
        return (status_md(), gr.update(choices=choices), gr.update(choices=choices),
                *example_updates(), range_hint(),
                corpus_summary_md(), corpus_view.table(rows), [r.article_id for r in rows[: corpus_view.MAX_ROWS]],
                gr.update(value=build_label()))

    def rebuild(progress=gr.Progress()):
        keep = (gr.update(),) * (7 + corpus_view.EXAMPLES)
        refusal = builder.start()
        if refusal:
            yield (refusal, status_md()) + keep[1:] + (gr.update(),)
            return
        while builder.state.running:
            st = builder.state
            progress(st.fraction, desc=f"Building: {st.stage}")
            yield (f"**Building:** {escape_markdown(builder.describe())} "
                   f"(elapsed {int(time.time() - st.started)} s); answers use the previous index meanwhile.",
                   status_md()) + keep[1:] + (gr.update(),)
            time.sleep(0.5)
        st = builder.state
        if st.error or st.report is None:
            log.error("rebuild failed: %s", st.error)
            yield ("**Rebuild failed**; the previous index is still serving. The server log has the details.",
                   ) + refreshed()[:1] + keep[1:] + (gr.update(),)
            return
        lines = [f"**Built** in {st.report.seconds:.2f} s: {st.report.counts()}."]
        lines += [f"- skipped {escape_markdown(k.path)}: {escape_markdown(k.reason[:200])}" for k in st.report.skipped]
        yield ("\n".join(lines),) + refreshed()

    def upload(files, overwrite):
        if not files:
            return "Choose one or more files first."
        lines, saved = [], False
        for f in files[:500]:
            path = Path(f if isinstance(f, str) else f.name)
            original = getattr(f, "orig_name", None) or path.name
            r = save_upload(path, original, settings.corpus_dir, int(settings.max_upload_mb * 1e6), bool(overwrite))
            saved = saved or r.saved
            lines.append(f"- {escape_markdown(r.name)}: {escape_markdown(r.message)}")
        if saved:
            lines.append("\nClick **Rebuild index** to include them.")
        return "\n".join(lines)

    # -- articles ---------------------------------------------------------------------------------
    def corpus_rows() -> list[corpus_view.ArticleRow]:
        try:
            return corpus_view.rows(snap())
        except Exception:  # noqa: BLE001
            return []

    def corpus_summary_md() -> str:
        s = summary_or_none()
        if s is None:
            return NO_INDEX
        outlets = ", ".join(f"{escape_markdown(o)} ({n})" for o, n in s.outlets[:20])
        return (f"**{s.articles} articles**, dated {escape_markdown(s.range_text())}. "
                f"By outlet: {outlets}{', …' if len(s.outlets) > 20 else ''}.")

    def search_articles(query, outlets_, since_, until_):
        try:
            lo, hi = parse_date(since_, "From"), parse_date(until_, "To")
        except DateError as exc:
            return gr.update(), gr.update(), escape_markdown(str(exc))
        found = corpus_view.filter_rows(corpus_rows(), str(query or "")[:200], outlets_, lo, hi)
        note = f"{len(found)} article(s)" + (f"; the first {corpus_view.MAX_ROWS} are listed"
                                             if len(found) > corpus_view.MAX_ROWS else "")
        return corpus_view.table(found), [r.article_id for r in found[: corpus_view.MAX_ROWS]], note

    def open_row(ids, evt: gr.SelectData):
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not isinstance(row, int) or not 0 <= row < len(ids or []):
            return gr.update()
        return corpus_view.article_html(snap(), ids[row])

    def open_from_source(request_text):
        try:
            req = json.loads(request_text or "{}")
            aid, start = str(req["article"]), int(req["start"])
        except (ValueError, KeyError, TypeError):
            return gr.update(), gr.update()
        try:
            return corpus_view.article_html(snap(), aid, start), gr.Tabs(selected="articles")
        except Exception as exc:  # noqa: BLE001
            return escape_markdown(user_message(exc)), gr.Tabs(selected="articles")

    # -- the page ---------------------------------------------------------------------------------
    with gr.Blocks(title="Dossier", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        stored = gr.BrowserState({"chat": [], "answers": []}, storage_key="dossier-conversation")
        turns = gr.State([])  # list[Turn]: what follow-up questions are read against
        gr.Markdown("# Dossier\nAsk about the news articles; every sentence of an answer cites its passage.",
                    elem_id="page-head")
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Chat", id="chat", elem_id="chat-tab"):
                with gr.Row(equal_height=False, elem_id="chat-row"):
                    with gr.Column(scale=3, min_width=340, elem_id="chat-col"):
                        chat = gr.Chatbot(label="Chat", height="60vh", sanitize_html=True, allow_tags=False,
                                          latex_delimiters=[], elem_id="chat", feedback_options=None,
                                          buttons=["copy", "copy_all"],  # no "share": it posts to Hugging Face
                                          placeholder="Ask a question about the articles, or pick an example below.")
                        with gr.Row():
                            box = gr.Textbox(placeholder="Ask a question about the articles", show_label=False,
                                             scale=5, elem_id="question", max_length=2000)
                            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                        filter_msg = gr.Markdown(elem_id="filter-msg")
                        first_examples = examples()
                        with gr.Column(elem_id="examples"):
                            gr.Markdown("Examples from the corpus", elem_classes="examples-label")
                            example_btns = [gr.Button(first_examples[i] if i < len(first_examples) else "",
                                                      visible=i < len(first_examples), size="sm",
                                                      elem_classes="example", variant="secondary")
                                            for i in range(corpus_view.EXAMPLES)]
                        with gr.Row():
                            new = gr.Button("New chat", size="sm", elem_id="new-chat")
                            export_btn = gr.Button("Export as Markdown", size="sm", elem_id="export")
                        with gr.Accordion("Filters", open=False, elem_id="filters"):
                            range_md = gr.Markdown(range_hint(), elem_id="corpus-range")
                            outlets = gr.Dropdown(outlet_choices(), multiselect=True, label="Outlet",
                                                  elem_id="outlets")
                            with gr.Row():
                                since = gr.Textbox(label="Since", placeholder="e.g. Feb 2017", elem_id="since",
                                                   max_length=100)
                                until = gr.Textbox(label="Until", placeholder="e.g. 2017-03-31", elem_id="until",
                                                   max_length=100)
                            k = gr.Slider(K_MIN, K_MAX, value=settings.k, step=1, label="Passages to retrieve",
                                          elem_id="k")
                        with gr.Accordion("Export", open=False, visible=True, elem_id="export-panel") as export_panel:
                            export_md = gr.Textbox(label="Conversation as Markdown", lines=8, interactive=False,
                                                   buttons=["copy"], elem_id="export-md")
                            with gr.Row():
                                dl_answer = gr.DownloadButton("Download last answer (.md)", elem_id="dl-answer")
                                dl_conv = gr.DownloadButton("Download conversation (.md)", elem_id="dl-conv")
                    with gr.Column(scale=2, min_width=340, elem_id="sources-col"):
                        sources = gr.HTML(sources_html(None, article_text), elem_id="sources")
                open_request = gr.Textbox(elem_id="open-request", show_label=False, container=False)
                open_go = gr.Button("open", elem_id="open-go")
            with gr.Tab("Articles", id="articles", elem_id="articles-tab"):
                corpus_md = gr.Markdown(corpus_summary_md(), elem_id="corpus-summary")
                with gr.Row():
                    a_query = gr.Textbox(label="Search titles", elem_id="article-search", max_length=200, scale=3)
                    a_outlets = gr.Dropdown(outlet_choices(), multiselect=True, label="Outlet",
                                            elem_id="article-outlets", scale=2)
                    a_since = gr.Textbox(label="From", placeholder="e.g. 2017", elem_id="article-since", scale=1)
                    a_until = gr.Textbox(label="To", placeholder="e.g. Mar 2017", elem_id="article-until", scale=1)
                a_note = gr.Markdown(elem_id="article-note")
                first_rows = corpus_rows()
                ids = gr.State([r.article_id for r in first_rows[: corpus_view.MAX_ROWS]])
                table = gr.Dataframe(corpus_view.table(first_rows), headers=["Title", "Outlet", "Date", "Passages"],
                                     interactive=False, elem_id="articles-table", max_height=420, wrap=True,
                                     column_widths=["58%", "20%", "12%", "10%"])
                article_view = gr.HTML('<div class="src-empty">Click an article to read it.</div>',
                                       elem_id="article-view")
            with gr.Tab("Index", id="index", elem_id="index-tab"):
                index_status = gr.Markdown(status_md(), elem_id="index-status")
                rebuild_btn = gr.Button(build_label(), variant="primary", elem_id="rebuild")
                report = gr.Markdown(elem_id="build-report")
                gr.Markdown("### Add articles")
                files = gr.File(label="Article files (.txt .md .html .json .jsonl .csv)", file_count="multiple",
                                file_types=[".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv"],
                                elem_id="upload")
                overwrite = gr.Checkbox(label="Replace existing files of the same name", value=False)
                add_btn = gr.Button("Add to corpus", elem_id="add-files")
                upload_msg = gr.Markdown(elem_id="upload-result")

        ask_inputs = [box, chat, outlets, since, until, k, stored, turns]
        for trigger in (send.click, box.submit):
            trigger(respond, ask_inputs, [chat, sources, box, filter_msg, stored, turns], api_visibility="private")
        for field in (since, until):
            field.blur(check_dates, [since, until], filter_msg, api_visibility="private")
        for btn in example_btns:
            btn.click(lambda q: q, btn, box, api_visibility="private")
        new.click(clear, None, [chat, sources, box, filter_msg, stored, turns], api_visibility="private")
        chat.clear(clear, None, [chat, sources, box, filter_msg, stored, turns], api_visibility="private")
        export_btn.click(export_files, stored, [export_md, dl_answer, dl_conv], api_visibility="private").then(
            lambda: gr.Accordion(open=True), None, export_panel, api_visibility="private")
        open_go.click(open_from_source, open_request, [article_view, tabs], api_visibility="private")
        for ev in (a_query.submit, a_outlets.change, a_since.submit, a_until.submit, a_since.blur, a_until.blur):
            ev(search_articles, [a_query, a_outlets, a_since, a_until], [table, ids, a_note],
               api_visibility="private")
        table.select(open_row, ids, article_view, api_visibility="private")
        index_outputs = [index_status, outlets, a_outlets, *example_btns, range_md, corpus_md, table, ids, rebuild_btn]
        rebuild_btn.click(rebuild, None, [report, *index_outputs], concurrency_limit=2, api_visibility="private")
        add_btn.click(upload, [files, overwrite], [upload_msg], api_visibility="private")
        gr.api(api_ask, api_name="ask")
        demo.load(refreshed, None, index_outputs, api_visibility="private")
        demo.load(restore, stored, [chat, sources, turns], api_visibility="private")
    return demo


def private_temp_dir() -> Path:
    """A folder for this server's uploads and exports only (mode 0700), removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="dossier-web-", dir=os.environ.get("GRADIO_TEMP_DIR") or None))
    os.environ["GRADIO_TEMP_DIR"] = str(folder)  # read by Gradio when the Blocks and the app are made
    return folder


def _stop(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt  # Gradio's launch loop closes the server; main() then cleans up


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's own startup requests are not news
    settings = get_settings()
    temp = private_temp_dir()
    signal.signal(signal.SIGTERM, _stop)
    try:
        bot = Assistant(settings)
        try:
            bot.warm_up()
        except Exception as exc:  # noqa: BLE001
            log.warning("no usable index yet: %s", exc)
        demo = build_app(settings, bot)
        auth = None
        if settings.username and settings.password:
            auth = (settings.username, settings.password.get_secret_value())
        print(f"Dossier on http://{settings.host}:{settings.port}", flush=True)
        demo.queue(default_concurrency_limit=4).launch(
            server_name=settings.host, server_port=settings.port, auth=auth, theme=THEME, css=CSS, head=HEAD,
            max_file_size=f"{int(settings.max_upload_mb)}mb", footer_links=["api"], ssr_mode=False,
            show_error=False, pwa=False, mcp_server=False, share=False,
            app_kwargs={"middleware": [Middleware(Guard)]},
        )
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
