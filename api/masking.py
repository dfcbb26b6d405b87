"""ID numbers in API answers: the one place that decides masked or whole.

Another change encrypts ID numbers at rest and will provide cadres.selectors helpers to
read them; only this function then changes."""
from cadres.models import mask_id_number
from core import roles


def id_number_for(request, cadre, *, detail: bool) -> str:
    """Whole on a cadre's detail for a user who may see the registry (as the cadre page
    shows it) and, through a token, only when the token carries read:id_numbers; masked
    in lists and everywhere else."""
    from api.models import ApiToken, Scope

    if detail and roles.can_view_registry(request.user):
        token = request.auth
        if not isinstance(token, ApiToken) or Scope.READ_ID_NUMBERS in token.scopes:
            return cadre.id_number
    return mask_id_number(cadre.id_number)
