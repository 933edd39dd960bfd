"""Requests to a gateway host (DISPATCH_GATEWAY_HOSTS) go to the gateway, whatever their path: the
enabled API that names the Host in its `hosts` answers. Other hosts cost nothing here."""

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from . import views


class GatewayHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        patterns = settings.DISPATCH_GATEWAY_HOSTS
        if patterns:
            host, _ = split_domain_port(request.META.get("HTTP_HOST", ""))
            if host and validate_host(host.lower(), patterns):
                return views.by_host(request, request.path_info)
        return self.get_response(request)
