"""Serve the demo department system (yiwang/demo/department_system.py) with wsgiref."""

from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.core.management.base import BaseCommand, CommandError

from yiwang.demo.department_system import DepartmentSystem
from yiwang.demo.oidc_demo import read_config


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class Command(BaseCommand):
    help = "运行演示用的部门业务系统（通过一网 OpenID Connect 登录）。"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="监听端口（默认 8001）")
        parser.add_argument("--bind", default="127.0.0.1", help="监听地址")
        parser.add_argument("--issuer", help="认证平台的签发者地址")
        parser.add_argument("--client-id")
        parser.add_argument("--client-secret")
        parser.add_argument("--base-url", help="本系统的外部地址，如 http://localhost:8001")
        parser.add_argument("--backchannel-url", help="本系统直接访问认证平台的地址")
        parser.add_argument("--quiet", action="store_true", help="不打印每个请求")

    def handle(self, *args, **options):
        config = read_config() or {}
        port = options["port"] or config.get("port") or 8001
        values = {
            "issuer": options["issuer"] or config.get("issuer"),
            "client_id": options["client_id"] or config.get("client_id"),
            "client_secret": options["client_secret"] or config.get("client_secret"),
            "base_url": options["base_url"] or config.get("base_url") or f"http://localhost:{port}",
        }
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise CommandError(
                "缺少配置：" + "、".join(missing) + "。请先加载演示数据（登记演示部门系统），"
                "或用 --issuer --client-id --client-secret 指定。"
            )
        app = DepartmentSystem(
            **values,
            title=config.get("title", "某某局业务系统"),
            backchannel_url=options["backchannel_url"] or config.get("backchannel_url"),
        )
        handler = QuietHandler if options["quiet"] else WSGIRequestHandler
        with make_server(options["bind"], port, app, handler_class=handler) as server:
            self.stdout.write(f"{app.title}：{values['base_url']}/（Ctrl+C 结束）")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
