"""What the counter UI shows when something fails: one line in the UI's language, never a raw
English exception for a project error or a file system error."""

from __future__ import annotations

import errno

from aftersales.core.errors import CaseError
from aftersales.store.errors import SchemaError
from aftersales.tui.i18n import error_line


def test_a_project_error_in_the_uis_language_with_its_field():
    exc = CaseError("not a valid IMEI", field="device.imei", zh="不是有效的 IMEI")
    assert error_line(exc, "zh") == "device.imei：不是有效的 IMEI"
    assert error_line(exc, "en") == "device.imei: not a valid IMEI"
    missing = SchemaError("database file x.db does not exist", zh="数据库文件 x.db 不存在")
    assert error_line(missing) == "数据库文件 x.db 不存在"


def test_a_file_system_error_by_what_went_wrong_and_where():
    exc = PermissionError(errno.EACCES, "Permission denied", "/var/tickets/SZ01-1.txt")
    assert error_line(exc, "zh") == "文件操作失败：没有权限（/var/tickets/SZ01-1.txt）"
    assert error_line(exc, "en") == "file error: permission denied (/var/tickets/SZ01-1.txt)"
    assert error_line(OSError(errno.ENOSPC, "No space left on device"), "zh") == "文件操作失败：磁盘已满"


def test_anything_else_by_its_type():
    assert error_line(ValueError("bad"), "zh") == "ValueError: bad"
