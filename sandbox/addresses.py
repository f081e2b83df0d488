"""Mailing addresses: one stored shape (REST's snake_case keys), read from GraphQL input or REST."""

from __future__ import annotations

COUNTRIES = {
    "US": "United States", "CA": "Canada", "GB": "United Kingdom", "IE": "Ireland", "AU": "Australia",
    "NZ": "New Zealand", "DE": "Germany", "FR": "France", "ES": "Spain", "IT": "Italy", "NL": "Netherlands",
    "BE": "Belgium", "AT": "Austria", "CH": "Switzerland", "SE": "Sweden", "NO": "Norway", "DK": "Denmark",
    "FI": "Finland", "PT": "Portugal", "PL": "Poland", "JP": "Japan", "MX": "Mexico", "BR": "Brazil",
}

PROVINCES = {
    "US": {
        "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
        "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
        "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
        "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
        "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
        "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
        "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
        "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
        "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
        "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    },
    "CA": {
        "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
        "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories", "NU": "Nunavut",
        "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan", "YT": "Yukon",
    },
}

FIELDS = (
    "first_name", "last_name", "company", "address1", "address2", "city", "province", "province_code",
    "country", "country_code", "zip", "phone", "latitude", "longitude",
)

_FROM_INPUT = {
    "firstName": "first_name", "lastName": "last_name", "company": "company", "address1": "address1",
    "address2": "address2", "city": "city", "provinceCode": "province_code", "countryCode": "country_code",
    "zip": "zip", "phone": "phone",
}


def from_input(data: dict, address_id: int) -> dict:
    """A `MailingAddressInput` as stored: the country and province names filled in from their codes."""
    address = dict.fromkeys(FIELDS)
    for key, value in data.items():
        address[_FROM_INPUT[key]] = value
    code = address["country_code"]
    address["country"] = COUNTRIES.get(code, code) if code else None
    province_code = address["province_code"]
    if province_code:
        address["province"] = PROVINCES.get(code or "", {}).get(province_code, province_code)
    address["id"] = address_id
    return address


def from_rest(data: dict, address_id: int) -> dict:
    address = {field: data.get(field) for field in FIELDS}
    address["id"] = address_id
    return address


def full_name(address: dict) -> str:
    return " ".join(part for part in (address["first_name"], address["last_name"]) if part)


def to_rest(address: dict | None) -> dict | None:
    if address is None:
        return None
    body = {field: address[field] for field in FIELDS}
    body["name"] = full_name(address)
    return body


def formatted_lines(address: dict, with_name: bool = False, with_company: bool = True) -> list[str]:
    area = " ".join(part for part in (address["city"], address["province_code"], address["zip"]) if part)
    lines = [
        full_name(address) if with_name else None,
        address["company"] if with_company else None,
        address["address1"],
        address["address2"],
        area,
        address["country"],
    ]
    return [line for line in lines if line]
