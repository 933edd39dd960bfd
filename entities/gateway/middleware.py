"""Requests whose Host one of the enabled APIs names go to the gateway, whatever their path."""

from django.core.exceptions import DisallowedHost

from . import routing, views


class GatewayHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            host = request.get_host().split(":")[0].lower()
        except DisallowedHost:
            return self.get_response(request)  # Django answers it with its own 400
        if host in routing.hosts():
            return views.by_host(request, request.path_info)
        return self.get_response(request)
