# Role lives in core (the bottom layer) so that hospitals can check roles without importing
# accounts; the user model and the apps above keep importing it from here.
from core.roles import Role

__all__ = ["Role"]
