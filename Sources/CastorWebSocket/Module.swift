import CWslay
