# SPDX-License-Identifier: BSD-3-Clause
# Murder::LMTP - an LMTP client for tests (exact bytes on the wire,
# multi-line replies, pipelining) plus lmtpd_node() to start a node
# running lmtpd with users' INBOXes, and mbtool() to set up and inspect
# mailboxes through the store's own API (tools/mbtool, test-only) until
# IMAP CREATE/SETQUOTA/FETCH exist.
#
#   my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob)]);
#   my $c = Murder::LMTP->connect($n);             # 220 greeting read
#   like($c->cmd('LHLO test'), qr/^250 /);
#   my @msgs = Murder::LMTP::messages($n, 'user.alice');
#
# Every read is bounded (default 10 s); undef means EOF or timeout.
package Murder::LMTP;
use strict;
use warnings;
use Carp qw(croak);
use POSIX ();
use Murder::Instance;
use Murder::Util qw(running_as_root cyrus_user);

our %USERS = (alice => 'alice-pw', admin => 'admin-pw', proxy => 'proxy-pw');

# lmtpd_node - start a node with lmtpd on service "lmtp" (TCP).
#   preauth => 1 (default) runs `lmtpd -a`; 0 requires AUTH
#   unix => 1 also serves `lmtpd -a` on the lmtpsocket path ("lmtpunix")
#   users => [...] INBOXes to create (user.NAME, owner has all rights)
#   config => {...} extra imapd.conf options; env => {...} for master
sub lmtpd_node {
    my (%a) = @_;
    my %config = (sasl_mech_list => 'PLAIN', proxyservers => 'proxy',
                  %{$a{config} // {}});
    my $pre = ($a{preauth} // 1) ? ' -a' : '';
    my @svc = ({ name => 'lmtp', cmd => "lmtpd$pre", prefork => 0 });
    my $n = Murder::Instance->new(name => 'lmtpd', services => \@svc,
                                  config => \%config, env => $a{env} // {});
    if ($a{unix}) {
        $n->add_service(name => 'lmtpunix', cmd => 'lmtpd -a', prefork => 0,
                        listen => $n->imapd_option('lmtpsocket'));
    }
    $n->create_user($_, $USERS{$_}) for sort keys %USERS;
    $n->prepare;
    $n->write_imapd_conf;
    mbtool($n, 'create', "user.$_", "$_=lrswipkxtea") for @{$a{users} // []};
    $n->start;
    return $n;
}

# mbtool - run tools/mbtool on node $n: its output, croak on failure.
sub mbtool {
    my ($n, @args) = @_;
    my ($out, $status) = run_tool($n, 'mbtool', @args);
    croak "mbtool @args failed (status $status): $out" if $status;
    return $out;
}

# run_tool - run built program $name with -C imapd.conf and @args, as the
# cyrus user when root (so lmtpd can use what it creates): (stdout and
# stderr, wait status).
sub run_tool {
    my ($n, $name, @args) = @_;
    my $bin = Murder::Util::find_binary($name, $n->build) or croak "$name not built";
    pipe(my $r, my $w) or croak "pipe: $!";
    my $pid = fork() // croak "fork: $!";
    if (!$pid) {
        close($r);
        open(STDOUT, '>&', $w);
        open(STDERR, '>&', $w);
        if (running_as_root()) {
            my (undef, undef, $uid, $gid) = getpwnam(cyrus_user());
            POSIX::setgid($gid);
            POSIX::setuid($uid);
        }
        exec($bin, '-C', $n->imapd_conf, @args) or POSIX::_exit(127);
    }
    close($w);
    local $/;
    my $out = <$r> // '';
    close($r);
    waitpid($pid, 0);
    return ($out, $?);
}

# messages - the committed messages of mailbox $name: list of hashes
# { uid, size, ino, nlink, path }.
sub messages {
    my ($n, $name) = @_;
    my @m;
    for (split /\n/, mbtool($n, 'list', $name)) {
        next unless /^(\d+) (\d+) (\d+) (\d+) (.*)$/;
        push @m, { uid => $1, size => $2, ino => $3, nlink => $4, path => $5 };
    }
    return @m;
}

# message_text - the bytes of a stored message.
sub message_text {
    my ($m) = @_;
    return Murder::Util::slurp($m->{path});
}

# connect - a client on $svc (default lmtp) of node $n, greeting read.
sub connect {
    my ($class, $n, %a) = @_;
    my $sock = $n->connect($a{service} // 'lmtp');
    my $self = bless { sock => $sock, timeout => $a{timeout} // 10 }, $class;
    $self->{greeting} = $self->reply;
    return $self;
}

sub greeting { $_[0]{greeting} }

# send - write raw bytes; 1 when all were written.
sub send {
    my ($self, $data) = @_;
    return Murder::Util::write_all($self->{sock}, $data);
}

sub line { Murder::Util::read_line($_[0]{sock}, $_[1] // $_[0]{timeout}) }

# reply - one reply, the lines of a multi-line one joined by "\n";
# undef on EOF or timeout.
sub reply {
    my ($self, $timeout) = @_;
    my @l;
    while (defined(my $l = $self->line($timeout))) {
        push @l, $l;
        return join("\n", @l) unless $l =~ /^\d{3}-/;
    }
    return undef;
}

# cmd - send "$text\r\n", read one reply.
sub cmd {
    my ($self, $text, $timeout) = @_;
    $self->send("$text\r\n") or return undef;
    return $self->reply($timeout);
}

# deliver - LHLO (once), MAIL, RCPT each, DATA with $msg (CRLF lines,
# dot-stuffed here): { rcpt => [replies], data => [replies] }.
sub deliver {
    my ($self, $from, $rcpts, $msg) = @_;
    my %r = (rcpt => [], data => []);
    $self->{lhlo} //= $self->cmd('LHLO test.example');
    $r{mail} = $self->cmd("MAIL FROM:<$from>");
    push @{$r{rcpt}}, $self->cmd("RCPT TO:<$_>") for @$rcpts;
    my $ok = grep { /^250 / } @{$r{rcpt}};
    return \%r unless $ok;
    $r{data354} = $self->cmd('DATA');
    (my $stuffed = $msg) =~ s/^\./../mg;
    $self->send($stuffed . ".\r\n");
    push @{$r{data}}, $self->reply for 1 .. $ok;
    return \%r;
}

# message - a small RFC 5322 message with CRLF line ends.
sub message {
    my (%a) = @_;
    my $id = $a{msgid} // ('<' . time() . ".$$." . int(rand(1e9)) . '@test>');
    my $body = $a{body} // "Hello.\r\n";
    return "From: sender\@example.com\r\nTo: rcpt\@example.com\r\n" .
           "Subject: " . ($a{subject} // 'test') . "\r\n" .
           "Message-ID: $id\r\n\r\n$body";
}

sub close { close($_[0]{sock}) }

1;
