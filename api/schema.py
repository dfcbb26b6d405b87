"""How the API's authentication appears in the OpenAPI schema."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "接口令牌（dd_ 开头），由安全管理员签发，只显示一次"}


class BrowserSessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BrowserSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "浏览器已登录的会话（写入另需 CSRF 令牌）"}
