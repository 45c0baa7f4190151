"""Bare ORM cost of creating and confirming N sale orders (3 lines, new partner each),
the baseline every import benchmark is compared with."""

from bench.common import arguments, bare_orm_create_confirm, environment, load_registry, print_row


def main():
    args = arguments(__doc__, orders=(300, "sale orders to create and confirm"))
    registry = load_registry(args.config, args.database)
    with environment(registry) as env:
        create_s, confirm_s = bare_orm_create_confirm(env, args.orders)
    n = args.orders
    print(f"bare ORM, {n} orders x 3 lines, one batch create then action_confirm")
    print_row("create ms/order", 1000 * create_s / n, "ms")
    print_row("confirm ms/order", 1000 * confirm_s / n, "ms")
    print_row("create + confirm ms/order", 1000 * (create_s + confirm_s) / n, "ms")
    print_row("orders/s (create + confirm)", n / (create_s + confirm_s), "orders/s")


if __name__ == "__main__":
    main()
