from . import test_material_received
