from . import test_salesman_consent
