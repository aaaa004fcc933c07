from . import languages
