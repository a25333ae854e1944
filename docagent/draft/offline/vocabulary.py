"""The fixed words of the offline drafter: verbs, what magic methods do, conventional names.

Every table here is data, read by the sentence builders of :mod:`docagent.draft.offline`; a
new convention is a new entry, not a new branch.
"""

from __future__ import annotations

#: Words that read as a verb at the start of a name (``parse_header``: "Parse the header.").
_VERB_WORDS = """
accept acquire activate add adjust advance allocate append apply assert assign attach
authenticate bind build calculate call cancel capture check clean cleanup clear clone close
collect combine commit compare compile complete compose compute configure connect construct
consume convert copy count create decode decorate delete deliver destroy detach detect
disable discard dispatch display do download drop dump emit enable encode end ensure enter
escape evaluate execute exit expand export extend extract fetch fill filter finalize find
finish fix flush format generate handle hash ignore import increment init initialize insert
install interpret invoke iterate join keep kill list load lock log lookup make map mark
match merge migrate move normalize notify open pack parse patch pop post prepare print
process push put query quote raise read rebuild receive record refresh register release
reload remove rename render repeat replace report request reset resolve restore resume retry
return run save scan schedule search seek select send serialize set setup show shutdown skip
sort split start stop store strip submit subscribe substitute swap sync tear teardown
terminate test touch trace transform translate truncate try undo unlock unpack unquote
unregister update upload use validate verify visit wait walk warn wrap write yield
align allow archive backup break broadcast center chunk clip collapse compress connect crop
decompress decrypt dedent deduplicate deny describe digest disconnect draw encrypt estimate
explain feed flatten flip forbid fork grow guess indent infer inject listen login logout
measure mount pad partition peek permit plot poll provide publish reverse rotate scale shift
shorten shrink shuffle sign sleep spawn summarize tick toggle tokenize trim unescape unmount
unwrap
"""
VERBS = frozenset(_VERB_WORDS.split())
#: Words that follow a verb without being its object (``find_all`` is "Find all.", not
#: "Find the all.").
_NOT_OBJECT_WORDS = (
    "all any once left right first last inplace in out up down back away now later recursive "
    "recursively async sync safe safely fast quietly lazy lazily many one next prev previous "
    "strict forever again deep shallow raw direct directly if on off over into with by or and "
    "from to for as"
)
NOT_OBJECTS = frozenset(_NOT_OBJECT_WORDS.split())

#: What each magic method does, as a summary sentence (``{obj}``: the instance, ``{cls}``: its
#: class).
DUNDER_SUMMARIES = {
    "__repr__": "Return the developer representation of {obj}.",
    "__str__": "Return the string form of {obj}.",
    "__format__": "Format {obj} according to a format specification.",
    "__bytes__": "Return the bytes form of {obj}.",
    "__hash__": "Return the hash of {obj}.",
    "__bool__": "Return whether {obj} is truthy.",
    "__len__": "Return the number of items in {obj}.",
    "__iter__": "Iterate over the items of {obj}.",
    "__next__": "Return the next item of {obj}.",
    "__reversed__": "Iterate over the items of {obj} in reverse order.",
    "__contains__": "Return whether {obj} contains an item.",
    "__getitem__": "Return the item of {obj} at a key or index.",
    "__setitem__": "Set the item of {obj} at a key or index.",
    "__delitem__": "Delete the item of {obj} at a key or index.",
    "__missing__": "Handle a key missing from {obj}.",
    "__getattr__": "Look up an attribute missing from {obj}.",
    "__getattribute__": "Look up an attribute of {obj}.",
    "__setattr__": "Set an attribute of {obj}.",
    "__delattr__": "Delete an attribute of {obj}.",
    "__dir__": "List the attributes of {obj}.",
    "__enter__": "Enter the runtime context of {obj}.",
    "__exit__": "Exit the runtime context of {obj}.",
    "__aenter__": "Enter the asynchronous runtime context of {obj}.",
    "__aexit__": "Exit the asynchronous runtime context of {obj}.",
    "__aiter__": "Return an asynchronous iterator over {obj}.",
    "__anext__": "Return the next item of {obj} asynchronously.",
    "__await__": "Make {obj} awaitable.",
    "__call__": "Call {obj} like a function.",
    "__new__": "Create a new instance of {cls}.",
    "__del__": "Finalize {obj} when it is garbage collected.",
    "__eq__": "Return whether {obj} equals another object.",
    "__ne__": "Return whether {obj} differs from another object.",
    "__lt__": "Return whether {obj} sorts before another object.",
    "__le__": "Return whether {obj} sorts before or equal to another object.",
    "__gt__": "Return whether {obj} sorts after another object.",
    "__ge__": "Return whether {obj} sorts after or equal to another object.",
    "__copy__": "Return a shallow copy of {obj}.",
    "__deepcopy__": "Return a deep copy of {obj}.",
    "__reduce__": "Return the pickling state of {obj}.",
    "__reduce_ex__": "Return the pickling state of {obj} for a protocol.",
    "__getstate__": "Return the state of {obj} for pickling.",
    "__setstate__": "Restore the state of {obj} from pickling.",
    "__getnewargs__": "Return the arguments used to recreate {obj} when unpickling.",
    "__init_subclass__": "Initialize a new subclass of {cls}.",
    "__class_getitem__": "Return a generic alias of {cls}.",
    "__set_name__": "Record the attribute name {obj} is assigned to.",
    "__get__": "Return the attribute value that {obj} manages.",
    "__set__": "Set the attribute value that {obj} manages.",
    "__delete__": "Delete the attribute value that {obj} manages.",
    "__index__": "Return {obj} as an integer index.",
    "__int__": "Return {obj} as an integer.",
    "__float__": "Return {obj} as a float.",
    "__complex__": "Return {obj} as a complex number.",
    "__fspath__": "Return the file system path of {obj}.",
    "__sizeof__": "Return the size of {obj} in memory, in bytes.",
    "__instancecheck__": "Return whether an object is an instance of {cls}.",
    "__subclasscheck__": "Return whether a class is a subclass of {cls}.",
    "__subclasshook__": "Decide whether a class counts as a subclass of {cls}.",
    "__post_init__": "Finish initializing {obj} after the generated __init__.",
}
#: The operator each arithmetic magic method implements (``__add__``, ``__radd__``,
#: ``__iadd__``).
OPERATORS = {
    "add": "+", "sub": "-", "mul": "*", "matmul": "@", "truediv": "/", "floordiv": "//",
    "mod": "%", "divmod": "divmod()", "pow": "**", "lshift": "<<", "rshift": ">>", "and": "&",
    "xor": "^", "or": "|", "neg": "unary -", "pos": "unary +", "abs": "abs()", "invert": "~",
    "round": "round()", "trunc": "math.trunc()", "floor": "math.floor()", "ceil": "math.ceil()",
}  # fmt: skip

#: Parameter names whose meaning is a reliable convention anywhere.
PARAM_PHRASES = {
    "path": "The file system path",
    "filename": "The name of the file",
    "fname": "The name of the file",
    "fp": "The file object",
    "callback": "The callable to invoke",
    "func": "The function to use",
    "function": "The function to use",
    "timeout": "The timeout, in seconds",
    "encoding": "The text encoding",
    "format_spec": "The format specification",
    "exc_type": "The type of the exception being handled, if any",
    "exc_val": "The exception being handled, if any",
    "exc_value": "The exception being handled, if any",
    "exc_tb": "The traceback of the exception being handled, if any",
    "traceback": "The traceback",
}
_EXC = (
    "The type of the exception being handled, if any",
    "The exception being handled, if any",
    "The traceback of the exception being handled, if any",
)
_CMP = ("The object to compare with",)
#: What the parameters of protocol methods are, by position (the names vary: ``typ``, ``tb``,
#: ``instance``, ``obj``…, the protocol does not).
PROTOCOL_PARAMS: dict[str, tuple[str, ...]] = {
    "__exit__": _EXC,
    "__aexit__": _EXC,
    "__get__": (
        "The instance the attribute is accessed through, or None",
        "The class that owns the attribute",
    ),
    "__set__": ("The instance the attribute is set on", "The value to set"),
    "__delete__": ("The instance the attribute is deleted from",),
    "__set_name__": ("The class that owns the attribute", "The attribute name"),
    "__getitem__": ("The key or index",),
    "__setitem__": ("The key or index", "The value to set"),
    "__delitem__": ("The key or index",),
    "__missing__": ("The missing key",),
    "__contains__": ("The item to look for",),
    "__getattr__": ("The attribute name",),
    "__getattribute__": ("The attribute name",),
    "__setattr__": ("The attribute name", "The value to set"),
    "__delattr__": ("The attribute name",),
    "__format__": ("The format specification",),
    "__deepcopy__": ("The memo dictionary of objects already copied",),
    "__reduce_ex__": ("The pickle protocol version",),
    "__setstate__": ("The state to restore",),
    "__eq__": _CMP,
    "__ne__": _CMP,
    "__lt__": _CMP,
    "__le__": _CMP,
    "__gt__": _CMP,
    "__ge__": _CMP,
    "__instancecheck__": ("The object to check",),
    "__subclasscheck__": ("The class to check",),
    "__subclasshook__": ("The class to check",),
}
#: What protocol methods return, when the body does not say more.
PROTOCOL_RETURNS = {
    "__repr__": "A string",
    "__str__": "A string",
    "__format__": "A string",
    "__bytes__": "A bytes object",
    "__len__": "An integer",
    "__hash__": "An integer",
    "__index__": "An integer",
    "__int__": "An integer",
    "__float__": "A float",
    "__complex__": "A complex number",
    "__bool__": "True or False",
    "__contains__": "True or False",
    "__instancecheck__": "True or False",
    "__subclasscheck__": "True or False",
    "__iter__": "An iterator",
    "__aiter__": "An asynchronous iterator",
    "__fspath__": "A str or bytes path",
    "__sizeof__": "An integer",
    "__dir__": "An iterable of attribute names",
}
#: Names that say nothing about a value: described as "The `x` argument", never guessed.
_GENERIC_WORDS = (
    "arg val obj tmp temp var param elem thing stuff foo bar baz spam eggs ham res ret rv "
    "retval result out"
)
GENERIC_NAMES = frozenset(_GENERIC_WORDS.split())
#: Names of returned variables that say nothing about the value.
GENERIC_RESULTS = GENERIC_NAMES | {"value", "data", "x", "y", "z", "output", "answer"}
#: The parameter kinds that pack extra arguments (``*args``, ``**kwargs``).
VAR_KINDS = ("var_positional", "var_keyword")
#: Leading words of predicate names (``is_empty``, ``has_key``) and the verb each one reads as.
PREDICATES = {
    "is": "is",
    "has": "has",
    "can": "can",
    "should": "should",
    "needs": "needs",
    "supports": "supports",
    "was": "was",
    "are": "are",
}


#: What a call of a builtin or a ``str`` method returns, when it is the returned expression.
CONSTRUCTED = {
    "list": "A list",
    "tuple": "A tuple",
    "dict": "A dict",
    "set": "A set",
    "frozenset": "A frozenset",
    "sorted": "A sorted list",
    "str": "A string",
    "repr": "A string",
    "int": "An integer",
    "float": "A float",
    "bytes": "A bytes object",
    "str.join": "The joined string",
    "str.format": "A formatted string",
}
