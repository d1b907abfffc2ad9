"""Importing the official tables: the institution directory (附件1) and the association list (附件3)."""
from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.web.staff.gate import Gate

log = logging.getLogger("zhicheng.web.staff")


def register(bp: Blueprint, gate: Gate) -> None:
    write_db, off_loop, requires, render = gate.write_db, gate.off_loop, gate.requires, gate.render

    IMPORTERS = {"directory": "评审服务机构目录（附件1）", "associations": "全国性行业协会商会脱钩改革名单（附件3）"}

    @bp.get("/admin/import")
    @requires("staff")
    async def admin_import_form(request: Request) -> HTTPResponse:
        return render(request, "import.html", importers=IMPORTERS, report=None, error=None)

    @bp.post("/admin/import")
    @requires("publish")  # imported rows are used at once: a publisher's decision
    async def admin_import(request: Request) -> HTTPResponse:
        import tempfile
        from pathlib import Path

        from sqlalchemy.exc import SQLAlchemyError

        from bot.advisor.directory_import import import_associations, import_directory
        from bot.tables import ImportFileError, ImportReport
        kind = request.form.get("kind") or ""
        upload = request.files.get("file") if request.files else None
        if kind not in IMPORTERS or upload is None or not upload.body:
            return render(request, "import.html", status=400, importers=IMPORTERS, report=None,
                          error="请选择要导入的表和文件（.csv 或 .xlsx）。")
        suffix = Path(upload.name or "").suffix.lower()[:8]
        importer = import_directory if kind == "directory" else import_associations

        def run() -> ImportReport:
            with tempfile.TemporaryDirectory(prefix="zc-import-") as tmp:
                path = Path(tmp) / f"upload{suffix}"
                path.write_bytes(upload.body)
                with write_db() as s, s.begin():
                    report = importer(path, session=s)
                report.file = upload.name or path.name
                return report

        try:
            report = await off_loop(run)
        except ImportFileError as err:
            message = str(err).replace(str(Path(tempfile.gettempdir())), "")
            return render(request, "import.html", status=400, importers=IMPORTERS, report=None,
                          error=f"无法导入：{message}")
        except SQLAlchemyError:
            return render(request, "import.html", status=503, importers=IMPORTERS, report=None,
                          error="数据库暂时不可用，未做任何修改，请稍后再试。")
        log.info("import %s by %s: %d rows, %d rejected", kind, request.ctx.user.name, report.rows,
                 len(report.rejected))
        return render(request, "import.html", importers=IMPORTERS, report=report, error=None)
