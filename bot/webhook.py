"""BackTrack's webhook server: Telegram's updates over HTTP, and a health check.

The secret token is checked, and the announced size capped, before any of a request's body is
read; nothing of a request (body, headers, secret) is ever logged.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING

import tornado.web
from telegram import Bot, Update
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer

from bot.ordering import PerUserOrder
from bot.telegram_bot import ALLOWED_UPDATES

if TYPE_CHECKING:
    from bot.service import Webhook

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"

# Telegram's updates are small: a message's text is at most 4096 characters (under 50 KiB as
# JSON even with every character escaped), a caption 1024; entities, a quoted reply and a
# keyboard keep an update well under 200 KiB. 1 MiB is generous and bounds what one request
# can make the process hold.
MAX_UPDATE_BYTES = 1 << 20
# tornado's own limits sit above ours so that the handler answers 413 itself; they act only on
# a chunked body whose chunks declare more than this before the handler has seen the cap
# passed. The handlers stream, so tornado holds a body 64 KiB at a time, never whole.
TORNADO_MAX_BYTES = 2 * MAX_UPDATE_BYTES
# An idle or half-sent connection is dropped rather than held for tornado's default hour.
IDLE_SECONDS = 60.0
BODY_SECONDS = 30.0
# How long Telegram's request waits for its update to be handled before it is answered anyway
# (Telegram gives a webhook about a minute; a slower answer would be sent again).
ANSWER_WITHIN_SECONDS = 30
WEBHOOK_CONNECTIONS = 100


def _refuse(handler: tornado.web.RequestHandler, status: HTTPStatus) -> None:
    # An empty body: the status line says it all, and nothing of the request is echoed.
    handler.set_status(status)
    handler.finish()


class _Quiet(tornado.web.RequestHandler):
    """A handler that logs no request detail and names no server software."""

    def set_default_headers(self) -> None:
        """No Server header: a scanner learns nothing of what answers."""
        self.clear_header("Server")

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """The operator sees the error's type only; its message could quote the update."""
        if typ is not None and not isinstance(value, tornado.web.HTTPError):
            log.error("webhook request failed (%s)", typ.__name__)


@tornado.web.stream_request_body
class UpdateHandler(_Quiet):
    """Telegram's POST of one update: 200 once it is queued, 4xx when refused."""

    def initialize(self, app: Application, secret: bytes) -> None:  # type: ignore[type-arg]
        """The application to queue updates on, and the secret Telegram was given."""
        self._app = app
        self._secret = secret
        self._body = bytearray()
        self._refused = False

    def refuse(self, status: HTTPStatus) -> None:
        """Answer with an error status and hang up without reading further."""
        self._refused = True
        _refuse(self, status)

    def prepare(self) -> None:
        """Refuse a request on its headers alone: wrong method, wrong secret, too large."""
        if self.request.method != "POST":
            self.set_header("Allow", "POST")
            self.refuse(HTTPStatus.METHOD_NOT_ALLOWED)
            return
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.debug("refused a webhook request without the right secret")
            self.refuse(HTTPStatus.FORBIDDEN)
            return
        length = self.request.headers.get("Content-Length")
        if length is not None and not (length.isascii() and length.isdigit()):
            self.refuse(HTTPStatus.BAD_REQUEST)
        elif length is not None and int(length) > MAX_UPDATE_BYTES:
            log.warning("refused a webhook request over %d bytes", MAX_UPDATE_BYTES)
            self.refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        """Keep the body, refusing it once it grows past the cap (a chunked body has no length)."""
        if self._refused:
            return
        if len(self._body) + len(chunk) > MAX_UPDATE_BYTES:
            self._body.clear()
            log.warning("refused a chunked webhook request over %d bytes", MAX_UPDATE_BYTES)
            self.refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self._body += chunk

    async def post(self) -> None:
        """Queue the update for the bot's handlers."""
        if self._refused:
            return
        try:
            data = json.loads(self._body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise TypeError("not an update")
        except Exception as error:
            # Whatever fails here fails on what was sent, and its message may quote the data.
            reason = type(error).__name__
            log.warning("refused a webhook update that could not be read (%s)", reason)
            self.refuse(HTTPStatus.BAD_REQUEST)
            return
        finally:
            self._body.clear()
        try:
            update = Update.de_json(data, self._app.bot)
        except Exception as error:
            # An update from Telegram this library cannot read: refused, Telegram would send it
            # again and again, holding every later update behind it. Skipped, as in polling.
            log.error(
                "update %s from Telegram could not be read (%s); it is skipped",
                data["update_id"],
                type(error).__name__,
            )
            return
        bot = self._app.bot
        if isinstance(bot, ExtBot):
            # As python-telegram-bot's own webhook does: resolves arbitrary callback data.
            bot.insert_callback_data(update)
        processor = self._app.update_processor
        if not isinstance(processor, PerUserOrder):
            await self._app.update_queue.put(update)
            return
        handled = processor.watch(update.update_id)
        await self._app.update_queue.put(update)
        # Telegram gets its 200 once the update's unit of work is committed: a worker killed
        # before then leaves the request unanswered, and Telegram sends it again (to any
        # worker; the stored update id makes it run once).
        try:
            await asyncio.wait_for(asyncio.shield(handled), ANSWER_WITHIN_SECONDS)
        except TimeoutError:
            log.warning(
                "update %s took over %d s; answered before it was done",
                update.update_id,
                ANSWER_WITHIN_SECONDS,
            )
            processor.unwatch(update.update_id)


@tornado.web.stream_request_body
class HealthHandler(_Quiet):
    """GET /healthz: 200 "ok" while the database answers, 503 when not; no secret needed."""

    def initialize(self, healthy: Callable[[], Awaitable[bool]]) -> None:
        """Take the check of the database the bot runs on."""
        self._healthy = healthy

    def prepare(self) -> None:
        """Only GET and HEAD; the body of anything else is never read."""
        if self.request.method not in ("GET", "HEAD"):
            self.set_header("Allow", "GET, HEAD")
            _refuse(self, HTTPStatus.METHOD_NOT_ALLOWED)

    def data_received(self, chunk: bytes) -> None:
        """A health check's body, if any, means nothing."""

    async def _answer(self) -> bool:
        # A load balancer takes a worker whose database does not answer out of rotation.
        up = await self._healthy()
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        if not up:
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
        return up

    async def get(self) -> None:
        """Answer whether the server and its database are up."""
        up = await self._answer()
        self.write("ok\n" if up else "database unavailable\n")

    async def head(self) -> None:
        """Answer whether the server and its database are up, without a body."""
        await self._answer()


@tornado.web.stream_request_body
class NotFoundHandler(_Quiet):
    """Any other path: 404, without reading the body."""

    def prepare(self) -> None:
        """Refuse at once."""
        _refuse(self, HTTPStatus.NOT_FOUND)

    def data_received(self, chunk: bytes) -> None:
        """Never called: the request was refused on its headers."""


def _quiet_access_log(handler: tornado.web.RequestHandler) -> None:
    # No path or address: the path may itself be secret, and a flood of refusals should not
    # flood the log above DEBUG.
    log.debug("webhook server answered %d", handler.get_status())


def _listening(address: str, port: int) -> socket.socket:
    """A listening socket; closed again if it cannot be had (a port in use, say)."""
    family, kind, proto, _, where = socket.getaddrinfo(
        address or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(where)
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class WebhookServer:
    """Listens for Telegram's updates and hands them to the application's update queue."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        webhook: Webhook,
        healthy: Callable[[], Awaitable[bool]],
        *,
        register: bool = True,
    ) -> None:
        """Serve `webhook.path` and /healthz on `webhook.listen`:`webhook.port`."""
        if not webhook.secret:
            raise ValueError("a webhook needs a secret token")
        if f"/{webhook.path}" == HEALTH_PATH:
            raise ValueError(f"the webhook path cannot be {HEALTH_PATH}")
        self._app = app
        self._webhook = webhook
        self._healthy = healthy
        # Several workers behind one URL register it once (`backtrack set-webhook`), not each.
        self._register = register
        self._server: HTTPServer | None = None

    async def start(self) -> None:
        """Register the webhook with Telegram (unless told not to), then listen."""
        webhook = self._webhook
        if self._register:
            await register_webhook(self._app.bot, webhook.url, webhook.secret)
        path = re.escape(f"/{webhook.path}".rstrip("/"))
        routes = tornado.web.Application(
            [
                (HEALTH_PATH, HealthHandler, {"healthy": self._healthy}),
                (
                    rf"{path}/?",
                    UpdateHandler,
                    {"app": self._app, "secret": webhook.secret.encode()},
                ),
            ],
            default_handler_class=NotFoundHandler,
            log_function=_quiet_access_log,
        )
        server = HTTPServer(
            routes,
            max_body_size=TORNADO_MAX_BYTES,
            max_buffer_size=TORNADO_MAX_BYTES,
            idle_connection_timeout=IDLE_SECONDS,
            body_timeout=BODY_SECONDS,
        )
        # Telegram retries what it could not deliver, so nothing is lost in the moment between
        # registering and listening; and once the port is open, the webhook is registered.
        server.add_socket(_listening(webhook.listen, webhook.port))
        self._server = server

    async def stop(self) -> None:
        """Stop listening and close open connections; Telegram retries anything cut off."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        await server.close_all_connections()


async def register_webhook(bot: Bot, url: str, secret: str) -> None:
    """Tell Telegram where to send the updates, with the secret it must send with each."""
    # Each request is held until its update is handled: Telegram's most connections at once
    # (100, not its default 40), so patients' updates do not queue behind slow ones.
    await bot.set_webhook(
        url=url,
        secret_token=secret,
        allowed_updates=list(ALLOWED_UPDATES),
        max_connections=WEBHOOK_CONNECTIONS,
    )
