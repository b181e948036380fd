"""The schema of every operation also states its error answers (one JSON shape, api.errors) and,
for writes, the Idempotency-Key header, so a client (and schemathesis) knows all it can get."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from .serializers import ErrorSerializer

READ_ERRORS = (400, 401, 403, 404, 406, 429)
WRITE_ERRORS = (*READ_ERRORS, 409, 415, 422)


class ApiAutoSchema(AutoSchema):
    def _is_write(self) -> bool:
        return self.method.upper() not in ("GET", "HEAD", "OPTIONS")

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._is_write():
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    location=OpenApiParameter.HEADER,
                    required=False,
                    description="同一键重复提交同一请求只执行一次,返回首次的结果;"
                    "同一键用于不同请求返回 422。保留 24 小时。",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        error = self._get_response_for_code(ErrorSerializer, "400", direction=direction)
        for code in WRITE_ERRORS if self._is_write() else READ_ERRORS:
            responses.setdefault(str(code), error)
        return responses
