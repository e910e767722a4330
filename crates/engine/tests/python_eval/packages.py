import mypkg.helpers
try:
    import mypkg.helpers.sub
except ModuleNotFoundError as e:
    print(e, "|", e.name)
import nspkg.inner
print(nspkg.inner.VALUE)
from nspkg import inner as again
print(again is nspkg.inner)
try:
    import nspkg.missing
except ModuleNotFoundError as e:
    print(e, "|", e.name)
from mypkg import helpers
print(helpers is mypkg.helpers)
import mypkg.helpers.sub
