import mypkg
import mypkg.helpers
from mypkg.helpers import name_col
from mypkg import deeper as d
import mypkg.deeper
print(mypkg.PKG_CONST, name_col(3), d.twice(4), mypkg.helpers.name_col(1)[0])
import os.path as osp
print(osp.basename("/a/b.py"))
from mypkg.nothing import x
