from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
    EXPORT = "export", _("导出")
    DOWNLOAD = "download", _("下载")
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    STATE_CHANGE = "state_change", _("数据变更")
    ADMIN_ACTION = "admin_action", _("管理操作")
    SYSTEM = "system", _("系统任务")


class Source(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    ADMIN = "admin", _("后台")
    SYSTEM = "system", _("系统")
