"""The one exception type components raise for inputs AWS, GitHub or Kubernetes would reject."""


class ComponentInputError(ValueError):
    """An argument a component was given would be rejected by the provider.

    The message names the argument, the bad value and what is allowed. The ``infra`` layer validates
    stack config first, so a user normally sees these only when using a component directly.
    """

    def __init__(self, component: str, argument: str, value: object, allowed: str) -> None:
        self.component = component
        self.argument = argument
        self.value = value
        self.allowed = allowed
        super().__init__(f"{component}: {argument}={value!r} is invalid: {allowed}")
