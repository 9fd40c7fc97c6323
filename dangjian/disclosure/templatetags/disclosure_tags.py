from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """Money as on a Chinese account sheet: 1,234.50 (the zh-hans locale would print 1234.50)."""
    if value in (None, ""):
        value = Decimal(0)
    return f"{Decimal(value):,.2f}"
