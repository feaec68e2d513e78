from . import test_purchase_urgent
