from dataclasses import dataclass, field

from odoo import api, models
from odoo.tools import escape_psql

from ..exceptions import PermanentError
from ..tools import normalize_phone, parse_timestamp

ADDRESS_FIELDS = ("street", "street2", "city", "zip")


@dataclass
class PartnerMatch:
    partner: object
    shipping: object
    warnings: list = field(default_factory=list)


class ChannelMapping(models.AbstractModel):
    """Lookups every platform's mapping needs: partners from address dicts, countries
    and states by code or name, products by SKU, platform timestamps to UTC.

    An address dict uses these keys (all optional but ``name``): name, company_name,
    email, phone, street, street2, city, zip, state, country.
    """

    _name = "channel.mapping"
    _description = "Channel Mapping Helpers"

    # ------------------------------------------------------------------ places

    @api.model
    def _resolve_country(self, value):
        if not value:
            return self.env["res.country"], None
        value = str(value).strip()
        Country = self.env["res.country"]
        country = Country.search([("code", "=ilike", value)], limit=1) if len(value) == 2 else None
        if not country:
            country = Country.with_context(lang="en_US").search(
                [("name", "=ilike", value)], limit=1
            )
        if not country:
            return Country, self.env._("Unknown country %r", value)
        return country, None

    @api.model
    def _resolve_state(self, country, value):
        State = self.env["res.country.state"]
        if not value:
            return State, None
        value = str(value).strip()
        domain = [("country_id", "=", country.id)] if country else []
        state = State.search(domain + [("code", "=ilike", value)], limit=1)
        if not state:
            state = State.with_context(lang="en_US").search(
                domain + [("name", "=ilike", value)], limit=1
            )
        if not state or (not country and len(state) > 1):
            return State, self.env._("Unknown state %(state)r for country %(country)s",
                            state=value, country=country.code or "?")
        return state, None

    # ------------------------------------------------------------------ partners

    @api.model
    def _address_values(self, address, warnings):
        country, warning = self._resolve_country(address.get("country"))
        if warning:
            warnings.append(warning)
        state, warning = self._resolve_state(country, address.get("state"))
        if warning:
            warnings.append(warning)
        if state and not country:
            country = state.country_id
        phone = address.get("phone")
        normalized = normalize_phone(phone, country.code if country else None)
        if phone and not normalized:
            warnings.append(
                self.env._("Phone number %r could not be parsed; kept as given.", phone)
            )
        name = (address.get("name") or address.get("company_name") or "").strip()
        if not name:
            warnings.append(self.env._("Address without a name."))
            name = address.get("email") or self.env._("Unknown customer")
        return {
            "name": name,
            "email": (address.get("email") or "").strip() or False,
            "phone": normalized or (phone or False),
            "street": address.get("street") or False,
            "street2": address.get("street2") or False,
            "city": address.get("city") or False,
            "zip": address.get("zip") or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    @api.model
    def _find_or_create_partner(self, address, company=None):
        """The customer (matched by email, else by name and address) and its delivery
        address child, among the partners of ``company`` (default: the current company)
        and the shared ones. Unknown countries, states and unparsable phones are reported
        in ``warnings`` and never lose the rest of the address."""
        warnings = []
        vals = self._address_values(address or {}, warnings)
        company = company or self.env.company
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        partner = Partner.browse()
        if vals["email"]:
            # =ilike is a LIKE pattern: "john_doe@x" would also match "johnXdoe@x".
            partner = self._search_in_company(
                Partner,
                [("email", "=ilike", escape_psql(vals["email"])), ("parent_id", "=", False)],
                company,
            )
        if not partner:
            partner = self._search_in_company(
                Partner, self._same_address_domain(vals, parent=False), company)
        if not partner:
            company_name = (address or {}).get("company_name")
            partner = Partner.create(dict(vals, company_name=company_name or False))
        shipping = self._find_or_create_delivery(partner, vals)
        return PartnerMatch(partner, shipping, warnings)

    @api.model
    def _company_domain(self, company):
        """Records of ``company`` or shared by every company (for batched lookups, which
        should then prefer ``company``'s own record, as :meth:`_search_in_company` does)."""
        return [("company_id", "in", [company.id, False])]

    @api.model
    def _search_in_company(self, Model, domain, company):
        """The first record of ``company`` matching ``domain``, else the first one shared by
        every company (``company_id`` empty); never another company's."""
        return (
            Model.search(domain + [("company_id", "=", company.id)], limit=1)
            or Model.search(domain + [("company_id", "=", False)], limit=1)
        )

    @api.model
    def _same_address_domain(self, vals, parent):
        domain = [("name", "=", vals["name"]), ("parent_id", "=", parent.id if parent else False)]
        for name in (*ADDRESS_FIELDS, "country_id"):
            domain.append((name, "=", vals[name]))
        return domain

    @api.model
    def _find_or_create_delivery(self, partner, vals):
        if all(partner[name] == vals[name] or (not partner[name] and not vals[name])
               for name in ADDRESS_FIELDS) and partner.name == vals["name"]:
            return partner
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        delivery = Partner.search(
            self._same_address_domain(vals, parent=partner) + [("type", "=", "delivery")],
            limit=1,
        )
        return delivery or Partner.create(dict(vals, parent_id=partner.id, type="delivery"))

    # ------------------------------------------------------------------ products

    @api.model
    def _find_product_by_sku(self, sku, credential=None):
        """The product of ``sku``: the credential's listing first, else by internal
        reference among the products of the credential's company (default: the current
        company) and the shared ones."""
        Product = self.env["product.product"]
        if not sku:
            return Product
        if credential:
            binding = self.env["channel.product.binding"].search(
                [("credential_id", "=", credential.id), ("external_sku", "=", sku)], limit=1
            )
            if binding:
                return binding.product_id
        company = credential.company_id if credential else self.env.company
        return self._search_in_company(Product, [("default_code", "=", sku)], company)

    @api.model
    def _require_products_by_sku(self, skus, credential=None):
        """{sku: product} for all ``skus``; PermanentError naming every unknown one."""
        found = {sku: self._find_product_by_sku(sku, credential) for sku in dict.fromkeys(skus)}
        unknown = [
            sku or self.env._("(empty)") for sku, product in found.items() if not product
        ]
        if unknown:
            raise PermanentError(self.env._("Unknown SKU: %s", ", ".join(map(str, unknown))))
        return found

    # ------------------------------------------------------------------ timestamps

    @api.model
    def _parse_timestamp(self, value, credential=None):
        return parse_timestamp(value, credential.source_timezone if credential else None)
