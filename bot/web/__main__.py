"""python -m bot.web --port 8080"""
from __future__ import annotations

import argparse
import logging

from bot.config import secure_var_dir, settings


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="职称咨询助手的网页服务（咨询组件、条款页、反馈）")
    p.add_argument("--port", type=int, default=settings().web_port)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    secure_var_dir()
    from bot.web.app import create_app
    create_app().run(host=settings().host, port=args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
