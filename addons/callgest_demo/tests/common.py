from decimal import Decimal


def mod303_box(env, company, box, date_from, date_to):
    """The amount of box ``box`` of l10n_es's Modelo 303 for ``company``,
    computed as the report's ``tax_tags`` engine does (its rendering is not in
    Odoo Community): for the posted journal items of the period carrying the
    box's tags, sum(balance × (-1 if the tag is negative) × (-1 if the item's
    tags are inverted, as on a customer invoice))."""
    expression = env.ref(f"l10n_es.mod_303_casilla_{box}_balance")
    tags = expression._get_matching_tags()
    items = env["account.move.line"].search(
        [
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("date", ">=", date_from),
            ("date", "<=", date_to),
            ("tax_tag_ids", "in", tags.ids),
        ]
    )
    total = Decimal(0)
    for item in items:
        for tag in item.tax_tag_ids & tags:
            sign = (-1 if tag.tax_negate else 1) * (-1 if item.tax_tag_invert else 1)
            total += sign * Decimal(str(item.balance))
    return total
