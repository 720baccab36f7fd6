#!/usr/bin/perl
# greeting_capa.t - pop3d greets "+OK"; CAPA before login lists TOP, UIDL,
# RESP-CODES, AUTH-RESP-CODE, PIPELINING, USER, SASL with the configured
# mechanisms, STLS (TLS configured) and IMPLEMENTATION, ends with "."; after
# login USER, SASL and STLS are gone; unknown commands and commands of the
# wrong state are -ERR and the session goes on.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice'], tls => 1);
my $c = Murder::POP3->connect($n);
like($c->greeting, qr/^\+OK .*ready/, 'greeting');
my ($ok, @caps) = $c->multi('CAPA');
like($ok, qr/^\+OK/, 'CAPA ok');
my %cap = map { /^(\S+)/ ? ($1 => $_) : () } @caps;
ok($cap{$_}, "$_ advertised") for qw(TOP UIDL RESP-CODES AUTH-RESP-CODE
                                      PIPELINING USER STLS IMPLEMENTATION);
like($cap{SASL} // '', qr/^SASL .*\bPLAIN\b/, 'SASL PLAIN advertised');

like($c->cmd('STAT'), qr/^-ERR /, 'STAT before login: -ERR');
like($c->cmd('XYZZY'), qr/^-ERR /, 'unknown command: -ERR');
like($c->login('alice'), qr/^\+OK/, 'login');
($ok, @caps) = $c->multi('capa');
like($ok, qr/^\+OK/, 'lower-case CAPA after login');
%cap = map { /^(\S+)/ ? ($1 => 1) : () } @caps;
ok($cap{TOP} && $cap{UIDL}, 'TOP and UIDL still there');
ok(!$cap{$_}, "no $_ after login") for qw(USER SASL STLS);
like($c->cmd('USER alice'), qr/^-ERR /, 'USER after login: -ERR');
like($c->cmd('NOOP'), qr/^\+OK/, 'session goes on');
like($c->cmd('QUIT'), qr/^\+OK/, 'QUIT');
ok($c->at_eof, 'closed after QUIT');
$n->stop;
done_testing;
