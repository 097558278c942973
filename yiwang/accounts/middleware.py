"""Staff reach the back office only with a verified second factor (filled in by the
two-factor work)."""


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
