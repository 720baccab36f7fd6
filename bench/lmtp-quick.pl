# bench/lmtp-quick.pl - our LMTP delivery rate alone (no peer): one backend
# node with lmtpd -a, 10 users, 400 messages of 4 KB to 2 recipients over 4
# connections.  Run from the top of the tree after a build:
#   MURDER_BUILD=$PWD/build perl bench/lmtp-quick.pl
# For the comparison with Cyrus use bench/run-vs-cyrus.
use lib 'cassandane-tests/lib';
use Murder::Instance;
use Murder::RawIMAP;
my $n = Murder::Instance->new(name => 'lmtpbench', role => 'backend',
    config => { admins => 'admin' },
    services => [{ name => 'imap', cmd => 'imapd', prefork => 1 },
                 { name => 'lmtp', cmd => 'lmtpd -a', prefork => 4 }]);
$n->create_user('admin', 'admin-pw');
$n->create_user("bench$_", 'benchpw') for 1 .. 10;
$n->start;
my $imap = $n->port('imap'); my $lmtp = $n->port('lmtp');
system("$ENV{MURDER_BUILD}/bench/imap_load populate -p $imap -n 10 -N 0 -A admin:admin-pw >/dev/null 2>&1");
system("$ENV{MURDER_BUILD}/bench/imap_load lmtp -p $lmtp -n 10 -M 400 -S 4096 -K 2 -P 4");
$n->stop;
