"""Pure functions that put a sync job into words for the screens (no ORM here)."""

import json

#: Counters a job's result may carry, in the order a sentence gives them.
RESULT_COUNTERS = ("created", "updated", "sent", "skipped", "ignored", "failed")
#: Where a result names the records it created or sent: {"records": {model: [ids]}}.
RESULT_RECORDS_KEY = "records"


def humanize_operation(operation):
    """'shop.import_orders' -> 'Import orders': the fallback label of an operation no
    platform named."""
    if not operation:
        return ""
    action = operation.rsplit(".", 1)[-1].replace("_", " ").strip()
    return action[:1].upper() + action[1:]


def parse_result(result):
    """A job's stored result (JSON text, or a plain sentence) as a value."""
    if not result:
        return None
    try:
        return json.loads(result)
    except (TypeError, ValueError):
        return result


def _count_phrase(count, word, noun):
    return f"{count} {noun} {word}" if noun else f"{count} {word}"


def result_sentence(result, noun=""):
    """'12 orders created, 1 failed' from a result dict; a string result as it is; an
    empty string when the result says nothing a person needs."""
    value = parse_result(result)
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    phrases = []
    for word in RESULT_COUNTERS:
        count = value.get(word)
        if isinstance(count, int) and not isinstance(count, bool) and count:
            phrases.append(_count_phrase(count, word, "" if phrases else noun))
    if not phrases:
        items = value.get("items")
        if isinstance(items, int) and not isinstance(items, bool):
            phrases.append(f"{items} {noun or 'items'} read, nothing new")
    sentence = ", ".join(phrases)
    if sentence and value.get("more"):
        sentence += "; the next page follows"
    return sentence


def result_records(result):
    """{model: [ids]} the result names under RESULT_RECORDS_KEY (ints only)."""
    value = parse_result(result)
    if not isinstance(value, dict) or not isinstance(value.get(RESULT_RECORDS_KEY), dict):
        return {}
    records = {}
    for model, ids in value[RESULT_RECORDS_KEY].items():
        if isinstance(model, str) and isinstance(ids, list):
            valid = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
            if valid:
                records[model] = valid
    return records
